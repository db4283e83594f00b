/**
 * The first SQLite schema. Released: never edit; add 0002_… instead (src/backend/migrate.ts).
 * Every table is scoped by (hub, instance_id); times are INTEGER milliseconds since the epoch from the
 * store's clock. docs/storage.md explains which query uses which index.
 */
import type { Migration } from '../../migrate.js';

const sql = `
CREATE TABLE instances (
  -- Monotonic and never reused (AUTOINCREMENT): the tie-breaker of keyset paging on (created_at, row_seq).
  row_seq INTEGER PRIMARY KEY AUTOINCREMENT,
  hub TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended')),
  input TEXT,
  output TEXT,
  custom_status TEXT,
  created_at INTEGER NOT NULL,
  last_updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  scheduled_start_at INTEGER,
  parent_instance_id TEXT,
  lock_token TEXT,
  locked_by TEXT,
  lock_expires_at INTEGER,
  -- Claims of the current step that ended without a commit (a lease that ran out, an engine failure).
  failed_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX instances_by_id ON instances (hub, instance_id);
CREATE INDEX instances_by_created ON instances (hub, created_at, row_seq);
CREATE INDEX instances_by_status ON instances (hub, status, created_at, row_seq);
CREATE INDEX instances_by_name ON instances (hub, name, created_at, row_seq);
CREATE INDEX instances_by_last_updated ON instances (hub, last_updated_at, status);
-- Only leased (or abandoned, waiting to be retried) instances: small, and what nextWakeAt reads.
CREATE INDEX instances_by_lock_expiry ON instances (hub, lock_expires_at) WHERE lock_expires_at IS NOT NULL;

-- Clustered by instance: a step reads its whole history in one range.
CREATE TABLE history (
  hub TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (hub, instance_id, sequence)
) WITHOUT ROWID;

CREATE TABLE messages (
  -- Arrival order; never reused, so a consumed id can never name a newer message.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hub TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  execution_id TEXT,
  event_type TEXT NOT NULL,
  event TEXT NOT NULL,
  visible_at INTEGER NOT NULL
);
CREATE INDEX messages_by_visibility ON messages (hub, visible_at);
CREATE INDEX messages_by_instance ON messages (hub, instance_id, id);

CREATE TABLE activity_tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hub TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  task_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  input TEXT,
  attempt INTEGER NOT NULL DEFAULT 0,
  lock_token TEXT,
  locked_by TEXT,
  lock_expires_at INTEGER
);
CREATE INDEX activity_tasks_by_age ON activity_tasks (hub, id);
CREATE INDEX activity_tasks_by_instance ON activity_tasks (hub, instance_id);
CREATE INDEX activity_tasks_by_lock_expiry ON activity_tasks (hub, lock_expires_at) WHERE lock_expires_at IS NOT NULL;
`;

export const initial: Migration = { version: 1, name: 'initial', sql };
