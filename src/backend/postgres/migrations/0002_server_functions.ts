/**
 * Server-side functions: each backend write that used to take several statements (and BEGIN/COMMIT round
 * trips) is one call, and the calls that group commit batches (steps, activity results, new instances)
 * take a batch. A call is one statement in its own implicit transaction: one round trip, one commit.
 * Released migrations are never edited: a change to a function is a CREATE OR REPLACE in a new migration.
 *
 * - Every function is VOLATILE (the default), so each statement inside it takes a fresh snapshot and sees
 *   every commit before it, as separate statements did.
 * - `SET search_path FROM CURRENT` binds the unqualified names to the store's schema at creation (the
 *   migration runs with search_path set to it), so the text, and its checksum, is the same for every schema.
 * - Plans are generic, made once per connection (planning every call cost as much as running it). Such a
 *   plan is made when the connection first runs the function, often while the tables are still empty, and
 *   kept as they grow; on an empty table every index that starts with hub looks as good as the primary key,
 *   and a plan that looks rows up by `hub = $1`, filtering the instance id, scans the whole hub once the
 *   table is big (measured: most of the database's time at 2,000 instances). So rows are always found by a
 *   lookup that only the primary key can serve: `instance_id >= $id AND instance_id <= $id ORDER BY
 *   instance_id[, id]` (only the primary key yields that order, so it wins even on an empty table), and
 *   changed through their ctid (a TID scan, which no statistics can turn into anything else). A row changed
 *   by ctid is always locked first, by an earlier statement, so the ctid a lookup returns is its newest
 *   version. enable_seqscan is off for the same reason: on an empty table a sequential scan looks cheapest.
 * - Batches arrive as jsonb; payloads and events travel as JSON strings inside it, so the stored text is
 *   exactly the text the caller gave. A message to deliver is {instance_id, execution_id, event_type, event,
 *   visible_at} (a null visible_at meaning now).
 * - Instances are locked in instance id order (COLLATE "C", the order of the primary key) wherever a
 *   transaction locks several, so two transactions touching the same instances wait, never deadlock.
 */
import type { Migration } from '../../migrate.js';

export const serverFunctions: Migration = {
  version: 2,
  name: 'server_functions',
  sql: `
-- The store's clock in epoch milliseconds. clock_timestamp(), not now(): now() is frozen at the start of the
-- transaction, and a transaction that waited for a row lock would judge leases with a stale time (T14).
CREATE FUNCTION now_ms() RETURNS bigint LANGUAGE sql AS $$
  SELECT floor(extract(epoch from clock_timestamp()) * 1000)::bigint
$$;

-- Locks the instances of p_ids that exist, in id order; returns them with their status, ready_at and row
-- (the ctid of the version locked, which later statements see as the newest and can change).
CREATE FUNCTION lock_instances(p_hub text, p_ids text[])
RETURNS TABLE (locked_id text, locked_status text, locked_ready_at bigint, locked_row tid)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
BEGIN
  RETURN QUERY
  SELECT l.instance_id, l.status, l.ready_at, l.ctid
  FROM (SELECT DISTINCT x COLLATE "C" AS id FROM unnest(p_ids) AS x ORDER BY 1) AS ids
  CROSS JOIN LATERAL (
    SELECT i.instance_id, i.status, i.ready_at, i.ctid FROM instances i
    WHERE i.hub = p_hub AND i.instance_id >= ids.id AND i.instance_id <= ids.id
    ORDER BY i.instance_id
    FOR NO KEY UPDATE
  ) AS l;
END
$$;

-- Locks the recipients of messages about to be put in their inboxes, in id order, and readies them:
-- ready_at moves to the earliest visibility among their messages that would make them claimable (for a
-- Pending instance, only its start or a termination), unless p_allowed is given and their status is not in
-- it. Returns the recipients that exist, with their status. p_now is the visibility of a message that has none.
CREATE FUNCTION ready_recipients(p_hub text, p_messages jsonb, p_allowed text[], p_now bigint)
RETURNS TABLE (recipient_id text, recipient_status text)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_recipient record;
  v_wake_at bigint;
BEGIN
  FOR v_recipient IN
    SELECT l.*, w.any_at, w.start_at
    FROM lock_instances(p_hub, ARRAY(SELECT m->>'instance_id' FROM jsonb_array_elements(p_messages) AS m)) AS l
    JOIN (SELECT m.instance_id, min(coalesce(m.visible_at, p_now)) AS any_at,
            min(coalesce(m.visible_at, p_now)) FILTER (WHERE m.event_type IN ('ExecutionStarted', 'ExecutionTerminated')) AS start_at
          FROM jsonb_to_recordset(p_messages) AS m(instance_id text, event_type text, visible_at bigint)
          GROUP BY m.instance_id) AS w ON w.instance_id = l.locked_id
  LOOP
    v_wake_at := CASE
      WHEN p_allowed IS NOT NULL AND v_recipient.locked_status <> ALL(p_allowed) THEN NULL
      WHEN v_recipient.locked_status <> 'Pending' THEN v_recipient.any_at
      ELSE v_recipient.start_at END;
    IF v_wake_at < coalesce(v_recipient.locked_ready_at, v_wake_at + 1) THEN
      UPDATE instances SET ready_at = v_wake_at WHERE ctid = v_recipient.locked_row;
    END IF;
    recipient_id := v_recipient.locked_id;
    recipient_status := v_recipient.locked_status;
    RETURN NEXT;
  END LOOP;
END
$$;

-- Puts messages in inboxes, in the given order: the one write path to the messages table besides a new
-- instance's start and an activity's result. Drops messages to instances that do not exist (or, with
-- p_allowed, whose status is not in it), readies the recipients and notifies once when a message went in.
-- Returns every recipient that exists, with its status.
CREATE FUNCTION deliver_messages(p_hub text, p_messages jsonb, p_allowed text[], p_channel text, p_signal text)
RETURNS TABLE (recipient_id text, recipient_status text)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_now bigint := now_ms();
  v_ids text[];
  v_statuses text[];
  v_inserted bigint;
BEGIN
  SELECT array_agg(r.recipient_id), array_agg(r.recipient_status) INTO v_ids, v_statuses
  FROM ready_recipients(p_hub, p_messages, p_allowed, v_now) AS r;
  IF v_ids IS NULL THEN
    RETURN;
  END IF;
  WITH inserted AS (
    INSERT INTO messages (hub, instance_id, execution_id, event_type, event, visible_at)
    SELECT p_hub, m.instance_id, m.execution_id, m.event_type, m.event, coalesce(m.visible_at, v_now)
    FROM ROWS FROM (jsonb_to_recordset(p_messages)
        AS (instance_id text, execution_id text, event_type text, event text, visible_at bigint))
      WITH ORDINALITY AS m(instance_id, execution_id, event_type, event, visible_at, ord)
    JOIN unnest(v_ids, v_statuses) AS r(instance_id, status) ON r.instance_id = m.instance_id
    WHERE p_allowed IS NULL OR r.status = ANY(p_allowed)
    ORDER BY m.ord
    RETURNING 1
  )
  SELECT count(*) INTO v_inserted FROM inserted;
  IF v_inserted > 0 THEN
    PERFORM pg_notify(p_channel, p_signal);
  END IF;
  RETURN QUERY SELECT * FROM unnest(v_ids, v_statuses);
END
$$;

-- Sets ready_at from the instance's inbox as it stands (the instance is locked); returns it.
CREATE FUNCTION refresh_ready_at(p_hub text, p_id text) RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_ready_at bigint;
BEGIN
  UPDATE instances i SET ready_at = (
    SELECT min(m.visible_at)
    FROM (SELECT m.event_type, m.visible_at FROM messages m
          WHERE m.hub = p_hub AND m.instance_id >= p_id AND m.instance_id <= p_id ORDER BY m.instance_id, m.id) AS m
    WHERE i.status <> 'Pending' OR m.event_type IN ('ExecutionStarted', 'ExecutionTerminated'))
  WHERE ctid = (SELECT ctid FROM instances WHERE hub = p_hub AND instance_id >= p_id AND instance_id <= p_id
                ORDER BY instance_id LIMIT 1)
  RETURNING ready_at INTO v_ready_at;
  RETURN v_ready_at;
END
$$;

-- Creates one instance, {instance_id, execution_id, name, input, scheduled_start_at, parent_instance_id,
-- start: message}, with its start message in its inbox. A new id is inserted, a finished instance's row
-- replaced (its history, inbox and tasks deleted), an unfinished one left alone and locked, so its status
-- cannot change before the caller reads it. Returns whether it was created.
CREATE FUNCTION create_instance(p_hub text, p_request jsonb) RETURNS boolean
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_created boolean;
  v_tasks tid[];
BEGIN
  WITH request AS (
    SELECT r.*, s.execution_id AS start_execution_id, s.event_type, s.event, coalesce(s.visible_at, n.now) AS visible_at, n.now
    FROM (SELECT now_ms() AS now) AS n,
      jsonb_to_record(p_request) AS r(instance_id text, execution_id text, name text, input text,
        scheduled_start_at bigint, parent_instance_id text),
      jsonb_to_record(p_request->'start') AS s(execution_id text, event_type text, event text, visible_at bigint)
  ),
  created AS (
    INSERT INTO instances AS i (hub, instance_id, execution_id, name, status, input, created_at, last_updated_at,
      scheduled_start_at, parent_instance_id, ready_at)
    SELECT p_hub, r.instance_id, r.execution_id, r.name, 'Pending', r.input, r.now, r.now, r.scheduled_start_at,
      r.parent_instance_id, CASE WHEN r.event_type IN ('ExecutionStarted', 'ExecutionTerminated') THEN r.visible_at END
    FROM request r
    ON CONFLICT (hub, instance_id) DO UPDATE SET
      row_seq = DEFAULT, execution_id = excluded.execution_id, name = excluded.name, status = 'Pending',
      input = excluded.input, output = NULL, custom_status = NULL, created_at = excluded.created_at,
      last_updated_at = excluded.last_updated_at, completed_at = NULL, scheduled_start_at = excluded.scheduled_start_at,
      parent_instance_id = excluded.parent_instance_id, ready_at = excluded.ready_at,
      lock_token = NULL, locked_by = NULL, lock_expires_at = NULL
    WHERE i.status IN ('Completed', 'Failed', 'Terminated')
    RETURNING i.instance_id
  ),
  -- These see the replaced instance's rows as of the statement's start: a message delivered to it while
  -- this statement waited for its row survives, addressed to the old execution, and is dropped when read.
  history_deleted AS (
    DELETE FROM history WHERE hub = p_hub AND instance_id = (SELECT instance_id FROM request)
      AND EXISTS (SELECT 1 FROM created)
  ),
  messages_deleted AS (
    DELETE FROM messages WHERE EXISTS (SELECT 1 FROM created) AND ctid = ANY(ARRAY(
      SELECT m.ctid FROM messages m, request r
      WHERE m.hub = p_hub AND m.instance_id >= r.instance_id AND m.instance_id <= r.instance_id
      ORDER BY m.instance_id, m.id))
  ),
  started AS (
    INSERT INTO messages (hub, instance_id, execution_id, event_type, event, visible_at)
    SELECT p_hub, c.instance_id, r.start_execution_id, r.event_type, r.event, r.visible_at
    FROM created c, request r
  )
  SELECT EXISTS (SELECT 1 FROM created) INTO v_created;
  -- The replaced instance's tasks, locked first (a worker may be claiming one), then deleted.
  IF v_created THEN
    SELECT array_agg(t.ctid) INTO v_tasks
    FROM (SELECT t.ctid FROM activity_tasks t
          WHERE t.hub = p_hub AND t.instance_id >= p_request->>'instance_id' AND t.instance_id <= p_request->>'instance_id'
          ORDER BY t.instance_id, t.id
          FOR UPDATE) AS t;
    IF v_tasks IS NOT NULL THEN
      DELETE FROM activity_tasks WHERE ctid = ANY(v_tasks);
    END IF;
  END IF;
  RETURN v_created;
END
$$;

-- The client's createInstance, batched: requests as for create_instance. One row per request, in order:
-- created, or the status of the instance holding the id. Requests run in id order (the first request of
-- an id first), as the instances are locked in that order.
CREATE FUNCTION create_instances(p_hub text, p_requests jsonb, p_channel text, p_signal text)
RETURNS TABLE (created boolean, existing_status text)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_request record;
  v_created integer[] := '{}';
BEGIN
  FOR v_request IN
    SELECT x.request, x.ord FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS x(request, ord)
    ORDER BY x.request->>'instance_id' COLLATE "C", x.ord
  LOOP
    IF create_instance(p_hub, v_request.request) THEN
      v_created := v_created || v_request.ord::integer;
    END IF;
  END LOOP;
  IF cardinality(v_created) > 0 THEN
    PERFORM pg_notify(p_channel, p_signal);
  END IF;
  RETURN QUERY
  SELECT x.ord = ANY(v_created),
    CASE WHEN x.ord = ANY(v_created) THEN NULL
         ELSE (SELECT i.status FROM instances i
               WHERE i.hub = p_hub AND i.instance_id >= x.request->>'instance_id' AND i.instance_id <= x.request->>'instance_id'
               ORDER BY i.instance_id LIMIT 1) END
  FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS x(request, ord)
  ORDER BY x.ord;
END
$$;

-- Claims up to p_max ready instances, oldest ready first, with FOR UPDATE SKIP LOCKED (claimers on other
-- connections pass over each other's rows) and leases them. Each row comes back with its history and its
-- visible inbox as JSON arrays ([event, …]; [[id, execution_id, event], …]). Those are read by a statement
-- of their own, after the claim: the claim can lease a row that the previous owner's commit released after
-- the claim took its snapshot (the row is re-checked at its newest version), and only a later statement
-- sees the history that commit wrote.
--
-- The claim commits asynchronously (synchronous_commit off for its transaction only): it only moves a
-- lease. Lost on a server crash, it frees the lease, the work is claimed again, and the fence rejects the
-- worker's later commit; a durable commit after it flushes its WAL too. (The SQLite backend does the same.)
CREATE FUNCTION claim_orchestrations(p_hub text, p_max integer, p_worker text, p_lease_ms bigint)
RETURNS TABLE (instance_id text, execution_id text, name text, status text, input text, output text, custom_status text,
  created_at bigint, last_updated_at bigint, completed_at bigint, scheduled_start_at bigint, parent_instance_id text,
  lock_token text, claimed_at bigint, history text, messages text)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  v_now bigint := now_ms();
  v_picked tid[];
  v_rows tid[];
BEGIN
  v_picked := ARRAY(
    SELECT i.ctid FROM instances i
    WHERE i.hub = p_hub AND i.ready_at <= v_now AND (i.lock_expires_at IS NULL OR i.lock_expires_at <= v_now)
    ORDER BY i.ready_at
    LIMIT p_max
    FOR UPDATE SKIP LOCKED);
  IF cardinality(v_picked) = 0 THEN
    RETURN;
  END IF;
  WITH claimed AS (
    UPDATE instances SET lock_token = gen_random_uuid()::text, locked_by = p_worker, lock_expires_at = v_now + p_lease_ms
    WHERE ctid = ANY(v_picked)
    RETURNING ctid, ready_at, instance_id
  )
  SELECT array_agg(ctid ORDER BY ready_at, instance_id) INTO v_rows FROM claimed;
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
  SELECT i.instance_id, i.execution_id, i.name, i.status, i.input, i.output, i.custom_status, i.created_at,
    i.last_updated_at, i.completed_at, i.scheduled_start_at, i.parent_instance_id, i.lock_token, v_now,
    (SELECT '[' || string_agg(h.event, ',' ORDER BY h.sequence) || ']'
     FROM history h WHERE h.hub = p_hub AND h.instance_id = i.instance_id),
    (SELECT '[' || string_agg('[' || to_json(m.id::text) || ',' || coalesce(to_json(m.execution_id)::text, 'null') || ',' || m.event || ']',
                              ',' ORDER BY m.id) || ']'
     FROM (SELECT m.id, m.execution_id, m.event FROM messages m
           WHERE m.hub = p_hub AND m.instance_id >= i.instance_id AND m.instance_id <= i.instance_id AND m.visible_at <= v_now
           ORDER BY m.instance_id, m.id) AS m)
  FROM unnest(v_rows) WITH ORDINALITY AS x(row, ord)
  CROSS JOIN LATERAL (SELECT * FROM instances WHERE ctid = x.row) AS i
  ORDER BY x.ord;
END
$$;

-- Claims up to p_max activity tasks, oldest first, with FOR UPDATE SKIP LOCKED, and leases them; each claim
-- counts an attempt. Committed asynchronously, as claim_orchestrations is: a lost claim frees the lease, and
-- the task runs again (activities run at least once).
CREATE FUNCTION claim_activities(p_hub text, p_max integer, p_worker text, p_lease_ms bigint)
RETURNS TABLE (id bigint, instance_id text, execution_id text, task_id integer, name text, input text, attempt integer,
  lock_token text)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  v_now bigint := now_ms();
  v_picked tid[];
BEGIN
  v_picked := ARRAY(
    SELECT t.ctid FROM activity_tasks t
    WHERE t.hub = p_hub AND (t.lock_expires_at IS NULL OR t.lock_expires_at <= v_now)
    ORDER BY t.id
    LIMIT p_max
    FOR UPDATE SKIP LOCKED);
  IF cardinality(v_picked) = 0 THEN
    RETURN;
  END IF;
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
  UPDATE activity_tasks t
  SET lock_token = gen_random_uuid()::text, locked_by = p_worker, lock_expires_at = v_now + p_lease_ms, attempt = t.attempt + 1
  WHERE t.ctid = ANY(v_picked)
  RETURNING t.id, t.instance_id, t.execution_id, t.task_id, t.name, t.input, t.attempt, t.lock_token;
END
$$;

-- Writes what steps change in their own instances, all at once: the fence (an instance row's UPDATE matches
-- only while the step's lease holds, T04, and releases it) and, behind it, the history, the consumed
-- messages, the dropped and the new tasks, so a lost lease writes nothing. The caller has locked the
-- instances (p_ids, with p_rows their current rows), so the inbox read here is complete: ready_at becomes
-- the earliest message left that makes the instance claimable. New history events are numbered after the
-- claimed history: nobody else can have appended while the lease held. No two steps may share an instance.
-- Returns the idx and the new ready_at of every step whose lease held.
CREATE FUNCTION write_steps(p_hub text, p_steps jsonb, p_ids text[], p_rows tid[])
RETURNS TABLE (written_idx integer, written_ready_at bigint)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_now bigint := now_ms();
BEGIN
  RETURN QUERY
  WITH steps AS (
    SELECT s.*, l.row, ARRAY(SELECT c::bigint FROM jsonb_array_elements_text(s.consumed) AS c) AS consumed_ids
    FROM jsonb_to_recordset(p_steps) AS s(idx integer, instance_id text, lock_token text, status text, execution_id text,
      set_input boolean, input text, output text, custom_status text, finished boolean, first_sequence integer,
      delete_all boolean, events jsonb, consumed jsonb, tasks jsonb)
    JOIN unnest(p_ids, p_rows) AS l(id, row) ON l.id = s.instance_id
  ),
  fenced AS (
    UPDATE instances i SET
      status = s.status, execution_id = coalesce(s.execution_id, i.execution_id),
      input = CASE WHEN s.set_input THEN s.input ELSE i.input END,
      output = s.output, custom_status = s.custom_status, last_updated_at = v_now,
      completed_at = CASE WHEN s.finished THEN v_now END,
      lock_token = NULL, locked_by = NULL, lock_expires_at = NULL,
      ready_at = (
        SELECT min(m.visible_at)
        FROM (SELECT m.id, m.event_type, m.visible_at FROM messages m
              WHERE m.hub = p_hub AND m.instance_id >= s.instance_id AND m.instance_id <= s.instance_id
              ORDER BY m.instance_id, m.id) AS m
        WHERE NOT s.delete_all AND m.id <> ALL(s.consumed_ids)
          AND (s.status <> 'Pending' OR m.event_type IN ('ExecutionStarted', 'ExecutionTerminated')))
    FROM steps s
    WHERE i.ctid = s.row AND i.lock_token = s.lock_token AND i.lock_expires_at > v_now
    RETURNING s.idx, s.instance_id, s.first_sequence, s.delete_all, s.events, s.consumed_ids, s.tasks, i.execution_id, i.ready_at
  ),
  history_written AS (
    INSERT INTO history (hub, instance_id, sequence, event)
    SELECT p_hub, f.instance_id, f.first_sequence + e.ord - 1, e.event
    FROM fenced f, jsonb_array_elements_text(f.events) WITH ORDINALITY AS e(event, ord)
  ),
  messages_consumed AS (
    DELETE FROM messages WHERE ctid = ANY(ARRAY(
      SELECT m.ctid
      FROM fenced f CROSS JOIN LATERAL (
        SELECT m.ctid, m.id FROM messages m
        WHERE m.hub = p_hub AND m.instance_id >= f.instance_id AND m.instance_id <= f.instance_id
        ORDER BY m.instance_id, m.id) AS m
      WHERE f.delete_all OR m.id = ANY(f.consumed_ids)))
  ),
  tasks_dropped AS (
    -- Terminal steps drop the tasks no worker holds a live lease on; leased ones finish and report. Workers
    -- claim tasks without the instance's lock: a task claimed meanwhile is re-checked at its newest version.
    DELETE FROM activity_tasks
    WHERE ctid = ANY(ARRAY(
        SELECT t.ctid
        FROM fenced f CROSS JOIN LATERAL (
          SELECT t.ctid FROM activity_tasks t
          WHERE t.hub = p_hub AND t.instance_id >= f.instance_id AND t.instance_id <= f.instance_id
          ORDER BY t.instance_id, t.id) AS t
        WHERE f.delete_all))
      AND (lock_expires_at IS NULL OR lock_expires_at <= v_now)
  ),
  tasks_added AS (
    INSERT INTO activity_tasks (hub, instance_id, execution_id, task_id, name, input)
    SELECT p_hub, f.instance_id, f.execution_id, t.task_id, t.name, t.input
    FROM fenced f, ROWS FROM (jsonb_to_recordset(f.tasks) AS (task_id integer, name text, input text))
      WITH ORDINALITY AS t(task_id, name, input, ord)
    ORDER BY f.idx, t.ord
  )
  SELECT f.idx, f.ready_at FROM fenced f;
END
$$;

-- Commits orchestration steps, each fenced on its own (write_steps). p_lock_ids are every instance the batch
-- writes to, locked first, in id order: batches and deliveries touching the same instances wait for each
-- other instead of deadlocking, and what is read after the lock is complete. Steps that write only to
-- their own instances (no sub-orchestrations, no messages to other instances, no history rewrite or
-- requeue, no two on one instance) are independent and written all at once; otherwise the steps are written
-- one after the other, in the given order. Returns the idx of every step written.
--
-- A step: {idx, instance_id, lock_token, status, execution_id (null: unchanged), set_input, input, output,
-- custom_status, finished, first_sequence, replace_history, events: [text], consumed: [message id],
-- delete_all, requeue, tasks: [{task_id, name, input}], creates: [{…create_instance request, on_conflict:
-- message}], messages: [message], signals: [text]}.
CREATE FUNCTION commit_steps(p_hub text, p_steps jsonb, p_lock_ids text[], p_channel text, p_ready_signal text)
RETURNS SETOF integer
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_ids text[];
  v_rows tid[];
  v_independent boolean;
  v_step jsonb;
  v_id text;
  v_ready_at bigint;
  v_written boolean;
  v_create record;
  v_refused bigint[];
  v_outgoing jsonb;
  v_mark bigint;
  v_signals text[] := '{}';
  v_committed integer[] := '{}';
BEGIN
  SELECT array_agg(locked_id), array_agg(locked_row) INTO v_ids, v_rows FROM lock_instances(p_hub, p_lock_ids);

  v_independent := NOT (p_steps @? '$[*] ? (@.replace_history == true || @.requeue == true || @.creates.size() > 0)');
  IF v_independent AND jsonb_array_length(p_steps) > 1 THEN
    SELECT count(DISTINCT x->>'instance_id') = count(*) INTO v_independent FROM jsonb_array_elements(p_steps) AS x;
  END IF;
  IF v_independent AND p_steps @? '$[*].messages[*]' THEN
    v_independent := NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(p_steps) AS x, jsonb_array_elements(x->'messages') AS m
      WHERE m->>'instance_id' <> x->>'instance_id');
  END IF;

  IF v_independent THEN
    SELECT coalesce(array_agg(w.written_idx), '{}'), bool_or(w.written_ready_at IS NOT NULL) INTO v_committed, v_written
    FROM write_steps(p_hub, p_steps, v_ids, v_rows) AS w;
    -- An orchestration signal whenever an instance has messages left, including those that arrived while it
    -- was leased.
    IF v_written THEN
      v_signals := v_signals || p_ready_signal;
    END IF;
    IF p_steps @? '$[*].messages[*]' THEN
      SELECT jsonb_agg(m.message ORDER BY x.ord, m.ord) INTO v_outgoing
      FROM jsonb_array_elements(p_steps) WITH ORDINALITY AS x(step, ord),
        jsonb_array_elements(x.step->'messages') WITH ORDINALITY AS m(message, ord)
      WHERE (x.step->>'idx')::integer = ANY(v_committed);
      IF v_outgoing IS NOT NULL THEN
        PERFORM deliver_messages(p_hub, v_outgoing, NULL, p_channel, p_ready_signal);
      END IF;
    END IF;
  ELSE
    FOR v_step IN SELECT s FROM jsonb_array_elements(p_steps) AS s LOOP
      v_id := v_step->>'instance_id';
      -- The instance's current row: an earlier step of the batch may have changed it.
      SELECT array_agg(locked_id), array_agg(locked_row) INTO v_ids, v_rows FROM lock_instances(p_hub, ARRAY[v_id]);

      -- A rewrite (rewind, continue-as-new) empties the history first, under the same fence as the step.
      IF (v_step->>'replace_history')::boolean THEN
        DELETE FROM history WHERE hub = p_hub AND instance_id = v_id AND EXISTS (
          SELECT 1 FROM instances
          WHERE ctid = v_rows[1] AND lock_token = v_step->>'lock_token' AND lock_expires_at > now_ms());
      END IF;

      v_written := NULL;
      SELECT true, w.written_ready_at INTO v_written, v_ready_at
      FROM write_steps(p_hub, jsonb_build_array(v_step), v_ids, v_rows) AS w;
      CONTINUE WHEN v_written IS NULL;
      v_committed := v_committed || (v_step->>'idx')::integer;
      IF v_ready_at IS NOT NULL THEN
        v_signals := v_signals || p_ready_signal;
      END IF;

      -- Sub-orchestrations first, so that a message the step sends to a child it creates reaches it; a
      -- request whose id is taken sends its on_conflict message instead.
      v_outgoing := v_step->'messages';
      IF jsonb_array_length(v_step->'creates') > 0 THEN
        v_refused := '{}';
        FOR v_create IN
          SELECT x.request, x.ord FROM jsonb_array_elements(v_step->'creates') WITH ORDINALITY AS x(request, ord)
          ORDER BY x.request->>'instance_id' COLLATE "C", x.ord
        LOOP
          IF create_instance(p_hub, v_create.request) THEN
            v_signals := v_signals || p_ready_signal;
          ELSE
            v_refused := v_refused || v_create.ord;
          END IF;
        END LOOP;
        SELECT coalesce(jsonb_agg(x.request->'on_conflict' ORDER BY x.ord), '[]') || v_outgoing INTO v_outgoing
        FROM jsonb_array_elements(v_step->'creates') WITH ORDINALITY AS x(request, ord)
        WHERE x.ord = ANY(v_refused);
      END IF;

      -- Continue-as-new: the messages that arrived during the step go behind the ones it sends to itself.
      IF (v_step->>'requeue')::boolean THEN
        SELECT m.id INTO v_mark FROM messages m WHERE m.hub = p_hub AND m.instance_id >= v_id AND m.instance_id <= v_id
        ORDER BY m.instance_id DESC, m.id DESC LIMIT 1;
      END IF;

      IF jsonb_array_length(v_outgoing) > 0 THEN
        PERFORM deliver_messages(p_hub, v_outgoing, NULL, p_channel, p_ready_signal);
      END IF;

      IF (v_step->>'requeue')::boolean AND v_mark IS NOT NULL THEN
        WITH moved AS (
          DELETE FROM messages WHERE ctid = ANY(ARRAY(
            SELECT m.ctid FROM messages m
            WHERE m.hub = p_hub AND m.instance_id >= v_id AND m.instance_id <= v_id AND m.id <= v_mark
            ORDER BY m.instance_id, m.id))
          RETURNING id, execution_id, event_type, event, visible_at
        )
        INSERT INTO messages (hub, instance_id, execution_id, event_type, event, visible_at)
        SELECT p_hub, v_id, execution_id, event_type, event, visible_at FROM moved ORDER BY id;
      END IF;
    END LOOP;
  END IF;
  -- With the signals of the steps written.
  PERFORM pg_notify(p_channel, signal)
  FROM (SELECT unnest(v_signals) AS signal
        UNION
        SELECT jsonb_array_elements_text(x->'signals') FROM jsonb_array_elements(p_steps) AS x
        WHERE (x->>'idx')::integer = ANY(v_committed)) AS signals;
  RETURN QUERY SELECT unnest(v_committed);
END
$$;

-- Completes activity tasks: each result is delivered and its task deleted only while the task's lease
-- holds. The recipients are readied (and so locked) first, then the tasks: the order a step's commit follows
-- too (it locks its instance, then drops its unleased tasks); a recipient readied for a result whose lease
-- turned out lost gets its ready_at back from its inbox. p_results: [{idx, instance_id, id, lock_token,
-- result: message}], in the order they were made (their messages go in in that order). Returns the idx of
-- the completed.
CREATE FUNCTION complete_activities(p_hub text, p_results jsonb, p_channel text, p_signal text)
RETURNS SETOF integer
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_now bigint := now_ms();
  v_recipients text[];
  v_tasks tid[];
  v_done integer[];
  v_inserted bigint;
BEGIN
  v_recipients := ARRAY(SELECT r.recipient_id FROM ready_recipients(p_hub,
    (SELECT jsonb_agg(x->'result') FROM jsonb_array_elements(p_results) AS x), NULL, v_now) AS r);
  -- The tasks whose lease still holds, locked; the lease is judged by the clock after the recipients' locks
  -- were granted (T14). A task named twice with its token completes once, for the first.
  SELECT array_agg(l.ctid), array_agg(c.idx) INTO v_tasks, v_done
  FROM (SELECT DISTINCT ON (c.instance_id, c.id, c.lock_token) c.*
        FROM jsonb_to_recordset(p_results) AS c(idx integer, instance_id text, id bigint, lock_token text)
        ORDER BY c.instance_id, c.id, c.lock_token, c.idx) AS c
  CROSS JOIN LATERAL (
    SELECT t.ctid FROM activity_tasks t
    WHERE t.hub = p_hub AND t.instance_id >= c.instance_id AND t.instance_id <= c.instance_id AND t.id >= c.id AND t.id <= c.id
      AND t.lock_token = c.lock_token AND t.lock_expires_at > now_ms()
    ORDER BY t.instance_id, t.id
    FOR UPDATE) AS l;
  IF v_tasks IS NULL THEN
    v_done := '{}';
  ELSE
    DELETE FROM activity_tasks WHERE ctid = ANY(v_tasks);
  END IF;
  WITH inserted AS (
    INSERT INTO messages (hub, instance_id, execution_id, event_type, event, visible_at)
    SELECT p_hub, m.instance_id, m.execution_id, m.event_type, m.event, coalesce(m.visible_at, v_now)
    FROM jsonb_to_recordset(p_results) AS c(idx integer, result jsonb),
      jsonb_to_record(c.result) AS m(instance_id text, execution_id text, event_type text, event text, visible_at bigint)
    WHERE c.idx = ANY(v_done) AND m.instance_id = ANY(v_recipients)
    ORDER BY c.idx
    RETURNING 1
  )
  SELECT count(*) INTO v_inserted FROM inserted;
  -- Recipients readied for a result whose lease turned out lost get their ready_at back from their inbox.
  PERFORM refresh_ready_at(p_hub, lost.id)
  FROM (SELECT DISTINCT c.result->>'instance_id' AS id FROM jsonb_to_recordset(p_results) AS c(idx integer, result jsonb)
        WHERE c.idx <> ALL(v_done)) AS lost
  WHERE lost.id = ANY(v_recipients);
  IF v_inserted > 0 THEN
    PERFORM pg_notify(p_channel, p_signal);
  END IF;
  RETURN QUERY SELECT unnest(v_done);
END
$$;
`,
};
