-- Committing orchestration steps (src/backend/postgres/commit.ts): the fence and all behind it.
-- Re-created whenever this file changes (index.ts).

-- Writes what steps change in their own instances, all at once: the fence (an instance row's UPDATE matches
-- only while the step's lease holds, T04, and releases it) and, behind it, the history, the consumed
-- messages, the dropped and the new tasks, so a lost lease writes nothing. The caller has locked the
-- instances (p_ids, with p_rows their current rows), so the inbox read here is complete: ready_at becomes
-- the earliest message left that makes the instance claimable. New history events are numbered after the
-- claimed history: nobody else can have appended while the lease held. No two steps may share an instance.
-- A lease holds when it ends after p_now, the caller's one reading of the clock for the decision. A step's
-- first lease_max tasks are born leased to lease_worker (attempt 1), for the committing worker to run without
-- a claim. Returns the idx, the new ready_at and the tasks so leased ([{id, task_id, lock_token}], task order;
-- null when none) of every step whose lease held.
CREATE FUNCTION write_steps(p_hub text, p_steps jsonb, p_ids text[], p_rows tid[], p_now bigint)
RETURNS TABLE (written_idx integer, written_ready_at bigint, written_leased jsonb)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_now bigint := p_now;
BEGIN
  RETURN QUERY
  WITH steps AS (
    SELECT s.*, l.row, ARRAY(SELECT c::bigint FROM jsonb_array_elements_text(s.consumed) AS c) AS consumed_ids
    FROM jsonb_to_recordset(p_steps) AS s(idx integer, instance_id text, lock_token text, status text, execution_id text,
      set_input boolean, input text, output text, custom_status text, finished boolean, first_sequence integer,
      delete_all boolean, events jsonb, consumed jsonb, tasks jsonb, lease_worker text, lease_ms bigint, lease_max integer)
    JOIN unnest(p_ids, p_rows) AS l(id, row) ON l.id = s.instance_id
  ),
  fenced AS (
    UPDATE instances i SET
      status = s.status, execution_id = coalesce(s.execution_id, i.execution_id),
      input = CASE WHEN s.set_input THEN s.input ELSE i.input END,
      output = s.output, custom_status = s.custom_status, last_updated_at = v_now,
      completed_at = CASE WHEN s.finished THEN v_now END,
      lock_token = NULL, locked_by = NULL, lock_expires_at = NULL, failed_attempts = 0,
      ready_at = (
        SELECT min(m.visible_at)
        FROM (SELECT m.id, m.event_type, m.visible_at FROM messages m
              WHERE m.hub = p_hub AND m.instance_id >= s.instance_id AND m.instance_id <= s.instance_id
              ORDER BY m.instance_id, m.id) AS m
        WHERE NOT s.delete_all AND m.id <> ALL(s.consumed_ids)
          AND (s.status <> 'Pending' OR m.event_type IN ('ExecutionStarted', 'ExecutionTerminated')))
    FROM steps s
    WHERE i.ctid = s.row AND i.lock_token = s.lock_token AND i.lock_expires_at > v_now
    RETURNING s.idx, s.instance_id, s.first_sequence, s.delete_all, s.events, s.consumed_ids, s.tasks, i.execution_id, i.ready_at,
      s.lease_worker, s.lease_ms, coalesce(s.lease_max, 0) AS lease_max
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
    INSERT INTO activity_tasks (hub, instance_id, execution_id, task_id, name, input, attempt, lock_token, locked_by, lock_expires_at)
    SELECT p_hub, f.instance_id, f.execution_id, t.task_id, t.name, t.input,
      CASE WHEN t.ord <= f.lease_max THEN 1 ELSE 0 END,
      CASE WHEN t.ord <= f.lease_max THEN gen_random_uuid()::text END,
      CASE WHEN t.ord <= f.lease_max THEN f.lease_worker END,
      CASE WHEN t.ord <= f.lease_max THEN v_now + f.lease_ms END
    FROM fenced f, ROWS FROM (jsonb_to_recordset(f.tasks) AS (task_id integer, name text, input text))
      WITH ORDINALITY AS t(task_id, name, input, ord)
    ORDER BY f.idx, t.ord
    RETURNING instance_id, id, task_id, lock_token
  )
  SELECT f.idx, f.ready_at,
    (SELECT jsonb_agg(jsonb_build_object('id', a.id::text, 'task_id', a.task_id, 'lock_token', a.lock_token) ORDER BY a.id)
     FROM tasks_added a WHERE a.instance_id = f.instance_id AND a.lock_token IS NOT NULL)
  FROM fenced f;
END
$$;

-- Commits orchestration steps, each fenced on its own (write_steps). p_lock_ids are every instance the batch
-- writes to, locked first, in id order: batches and deliveries touching the same instances wait for each
-- other instead of deadlocking, and what is read after the lock is complete. Steps that write only to
-- their own instances (no sub-orchestrations, no messages to other instances, no history rewrite or
-- requeue, no two on one instance) are independent and written all at once; otherwise the steps are written
-- one after the other, in the given order. Returns the idx of every step written, with the tasks it leased to
-- the committing worker (write_steps).
--
-- A step: {idx, instance_id, lock_token, status, execution_id (null: unchanged), set_input, input, output,
-- custom_status, finished, first_sequence, replace_history, events: [text], consumed: [message id],
-- delete_all, requeue, tasks: [{task_id, name, input}], lease_worker, lease_ms, lease_max (null: lease none),
-- creates: [{…create_instance request, on_conflict: message}], messages: [message], signals: [text]}.
CREATE FUNCTION commit_steps(p_hub text, p_steps jsonb, p_lock_ids text[], p_channel text, p_ready_signal text)
RETURNS TABLE (committed_idx integer, leased jsonb)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_ids text[];
  v_rows tid[];
  v_independent boolean;
  v_step jsonb;
  v_id text;
  v_now bigint;
  v_ready_at bigint;
  v_written boolean;
  v_step_leased jsonb;
  v_leased jsonb := '{}';
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
    SELECT coalesce(array_agg(w.written_idx), '{}'), bool_or(w.written_ready_at IS NOT NULL),
      coalesce(jsonb_object_agg(w.written_idx::text, w.written_leased) FILTER (WHERE w.written_leased IS NOT NULL), '{}')
    INTO v_committed, v_written, v_leased
    FROM write_steps(p_hub, p_steps, v_ids, v_rows, now_ms()) AS w;
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

      -- A rewrite (rewind, continue-as-new) empties the history first, under the same fence as the step and
      -- judged by the same reading of the clock: a lease that ran out in between must not leave the history
      -- deleted and the step unwritten. The instance's row lock keeps claimers off until the commit.
      v_now := now_ms();
      IF (v_step->>'replace_history')::boolean THEN
        DELETE FROM history WHERE hub = p_hub AND instance_id = v_id AND EXISTS (
          SELECT 1 FROM instances
          WHERE ctid = v_rows[1] AND lock_token = v_step->>'lock_token' AND lock_expires_at > v_now);
      END IF;

      v_written := NULL;
      SELECT true, w.written_ready_at, w.written_leased INTO v_written, v_ready_at, v_step_leased
      FROM write_steps(p_hub, jsonb_build_array(v_step), v_ids, v_rows, v_now) AS w;
      CONTINUE WHEN v_written IS NULL;
      v_committed := v_committed || (v_step->>'idx')::integer;
      IF v_step_leased IS NOT NULL THEN
        v_leased := v_leased || jsonb_build_object(v_step->>'idx', v_step_leased);
      END IF;
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
  RETURN QUERY SELECT c.idx, v_leased->(c.idx::text) FROM unnest(v_committed) AS c(idx);
END
$$;
