/**
 * The first schema. Released migrations are never edited: later changes go in new numbered files.
 *
 * Every table's primary key starts with (hub, instance_id), so a distributed PostgreSQL (Citus) can shard
 * all four tables on instance_id and keep an instance's rows together (docs/scale-out.md). instance_id is
 * COLLATE "C" so that an instance id prefix is a plain range of the primary key index.
 *
 * Names are unqualified: the migration runs with search_path set to the store's schema (schema.ts), so
 * the text, and its checksum, is the same for every schema.
 */
import type { Migration } from '../../migrate.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE instances (
  hub                text   NOT NULL,
  instance_id        text   COLLATE "C" NOT NULL,
  -- Tie-breaker of the listing order (created_at, row_seq); renewed when a finished instance is replaced.
  row_seq            bigserial NOT NULL,
  execution_id       text   NOT NULL,
  name               text   NOT NULL,
  status             text   NOT NULL,
  input              text,
  output             text,
  custom_status      text,
  created_at         bigint NOT NULL,
  last_updated_at    bigint NOT NULL,
  completed_at       bigint,
  scheduled_start_at bigint,
  parent_instance_id text,
  -- Earliest visible_at of an inbox message that makes the instance claimable (for a Pending instance only
  -- its start or a termination counts); null when there is none. Kept by every write to the inbox, so a
  -- claim is one range scan of a small partial index instead of a join with the inbox.
  ready_at           bigint,
  lock_token         text,
  locked_by          text,
  lock_expires_at    bigint,
  -- Claims of the current step that ended without a commit (a lease that ran out, an engine failure).
  failed_attempts    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (hub, instance_id)
);
CREATE INDEX instances_by_created ON instances (hub, created_at, row_seq);
CREATE INDEX instances_by_status ON instances (hub, status, created_at, row_seq);
CREATE INDEX instances_by_name ON instances (hub, name, created_at, row_seq);
CREATE INDEX instances_by_last_updated ON instances (hub, last_updated_at);
CREATE INDEX instances_ready ON instances (hub, ready_at) WHERE ready_at IS NOT NULL;
CREATE INDEX instances_leased ON instances (hub, lock_expires_at) WHERE lock_expires_at IS NOT NULL;

-- The current execution's history; sequence is 0-based and dense.
CREATE TABLE history (
  hub         text    NOT NULL,
  instance_id text    COLLATE "C" NOT NULL,
  sequence    integer NOT NULL,
  event       text    NOT NULL,
  PRIMARY KEY (hub, instance_id, sequence)
);

-- The inbox: events waiting for the instance's next step. id gives the arrival order.
CREATE TABLE messages (
  hub          text      NOT NULL,
  instance_id  text      COLLATE "C" NOT NULL,
  id           bigserial NOT NULL,
  execution_id text,
  event_type   text      NOT NULL,
  event        text      NOT NULL,
  visible_at   bigint    NOT NULL,
  PRIMARY KEY (hub, instance_id, id)
);
CREATE INDEX messages_by_visible_at ON messages (hub, visible_at);

CREATE TABLE activity_tasks (
  hub             text      NOT NULL,
  instance_id     text      COLLATE "C" NOT NULL,
  id              bigserial NOT NULL,
  execution_id    text      NOT NULL,
  task_id         integer   NOT NULL,
  name            text      NOT NULL,
  input           text,
  attempt         integer   NOT NULL DEFAULT 0,
  lock_token      text,
  locked_by       text,
  lock_expires_at bigint,
  PRIMARY KEY (hub, instance_id, id)
);
CREATE INDEX activity_tasks_queue ON activity_tasks (hub, id);
CREATE INDEX activity_tasks_leased ON activity_tasks (hub, lock_expires_at) WHERE lock_expires_at IS NOT NULL;
`,
};
