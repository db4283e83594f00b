-- Committing orchestration steps (src/backend/postgres/commit.ts): the fence and all behind it.
-- Re-created whenever this file changes (index.ts).

-- Writes steps that write only to their own instances, all at once (the set-wise form of their ops, which
-- src/backend/postgres/commit.ts folds: history events, consumed messages, delete_all, drop_tasks, tasks):
-- the fence (an instance row's UPDATE matches only while the step's lease holds, T04, and releases it) and,
-- behind it, the history, the consumed messages, the dropped and the new tasks, so a lost lease writes nothing. The caller has locked the
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
      set_input boolean, input text, output text, custom_status text, finished boolean, unchanged boolean, first_sequence integer,
      delete_all boolean, drop_tasks boolean, events jsonb, consumed jsonb, tasks jsonb, lease_worker text, lease_ms bigint, lease_max integer)
    JOIN unnest(p_ids, p_rows) AS l(id, row) ON l.id = s.instance_id
  ),
  fenced AS (
    UPDATE instances i SET
      status = s.status, execution_id = coalesce(s.execution_id, i.execution_id),
      input = CASE WHEN s.set_input THEN s.input ELSE i.input END,
      output = s.output, custom_status = s.custom_status,
      last_updated_at = CASE WHEN s.unchanged THEN i.last_updated_at ELSE v_now END,
      completed_at = CASE WHEN s.unchanged THEN i.completed_at WHEN s.finished THEN v_now END,
      lock_token = NULL, locked_by = NULL, lock_expires_at = NULL, failed_attempts = 0,
      ready_at = (
        SELECT min(m.visible_at)
        FROM (SELECT m.id, m.event_type, m.visible_at FROM messages m
              WHERE m.hub = p_hub AND m.instance_id >= s.instance_id AND m.instance_id <= s.instance_id
              ORDER BY m.instance_id, m.id) AS m
        WHERE NOT s.delete_all AND m.id <> ALL(s.consumed_ids)
          AND claimable(s.status, m.event_type))
    FROM steps s
    WHERE i.ctid = s.row AND i.lock_token = s.lock_token AND i.lock_expires_at > v_now
    RETURNING s.idx, s.instance_id, s.first_sequence, s.delete_all, s.drop_tasks, s.events, s.consumed_ids, s.tasks, i.execution_id, i.ready_at,
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
        WHERE f.drop_tasks))
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

-- Writes one step's ops, in order, behind its fence (write_op_step's caller has locked every instance the
-- batch writes to, p_row being this step's). The instance row is written first, while the lease holds (an
-- UPDATE that matches only then, T04, and releases it), and every op after it is judged by that one reading
-- of the clock. Returns null when the lease was lost (nothing is written), else the tasks leased to the
-- committing worker ([{id, task_id, lock_token}], possibly empty) and whether the instance is ready.
-- The ops are those of src/backend/backend.ts (CommitOp), encoded by src/backend/postgres/commit.ts.
CREATE FUNCTION write_op_step(p_hub text, p_step jsonb, p_row tid, p_channel text, p_ready_signal text,
  OUT leased jsonb, OUT readied boolean)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_id text := p_step->>'instance_id';
  v_now bigint := now_ms();
  v_execution_id text;
  v_sequence integer := (p_step->>'first_sequence')::integer;
  v_mark bigint;
  v_op jsonb;
  v_tasks jsonb;
BEGIN
  UPDATE instances i SET
    status = p_step->>'status', execution_id = coalesce(p_step->>'execution_id', i.execution_id),
    input = CASE WHEN (p_step->>'set_input')::boolean THEN p_step->>'input' ELSE i.input END,
    output = p_step->>'output', custom_status = p_step->>'custom_status',
    last_updated_at = CASE WHEN (p_step->>'unchanged')::boolean THEN i.last_updated_at ELSE v_now END,
    completed_at = CASE WHEN (p_step->>'unchanged')::boolean THEN i.completed_at WHEN (p_step->>'finished')::boolean THEN v_now END,
    lock_token = NULL, locked_by = NULL, lock_expires_at = NULL, failed_attempts = 0
  WHERE i.ctid = p_row AND i.lock_token = p_step->>'lock_token' AND i.lock_expires_at > v_now
  RETURNING i.execution_id INTO v_execution_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  leased := '[]';
  readied := false;
  -- The messages this commit did not write are those up to the newest one now.
  IF p_step->'ops' @? '$[*] ? (@.op == "requeue_messages")' THEN
    SELECT m.id INTO v_mark FROM messages m WHERE m.hub = p_hub AND m.instance_id >= v_id AND m.instance_id <= v_id
    ORDER BY m.instance_id DESC, m.id DESC LIMIT 1;
  END IF;

  FOR v_op IN SELECT o FROM jsonb_array_elements(p_step->'ops') AS o LOOP
    CASE v_op->>'op'
    WHEN 'append_history', 'replace_history' THEN
      IF v_op->>'op' = 'replace_history' THEN
        DELETE FROM history WHERE ctid = ANY(ARRAY(
          SELECT h.ctid FROM history h WHERE h.hub = p_hub AND h.instance_id >= v_id AND h.instance_id <= v_id
          ORDER BY h.instance_id, h.sequence));
        v_sequence := 0;
      END IF;
      INSERT INTO history (hub, instance_id, sequence, event)
      SELECT p_hub, v_id, v_sequence + e.ord - 1, e.event FROM jsonb_array_elements_text(v_op->'events') WITH ORDINALITY AS e(event, ord);
      v_sequence := v_sequence + jsonb_array_length(v_op->'events');
    WHEN 'delete_messages', 'delete_all_messages' THEN
      DELETE FROM messages WHERE ctid = ANY(ARRAY(
        SELECT m.ctid FROM (
          SELECT m.ctid, m.id FROM messages m
          WHERE m.hub = p_hub AND m.instance_id >= v_id AND m.instance_id <= v_id
          ORDER BY m.instance_id, m.id) AS m
        WHERE v_op->>'op' = 'delete_all_messages'
          OR m.id = ANY(ARRAY(SELECT c::bigint FROM jsonb_array_elements_text(v_op->'ids') AS c))));
    WHEN 'drop_unleased_tasks' THEN
      -- Leased tasks finish and report. Workers claim tasks without the instance's lock: a task claimed
      -- meanwhile is re-checked at its newest version.
      DELETE FROM activity_tasks
      WHERE ctid = ANY(ARRAY(
          SELECT t.ctid FROM activity_tasks t
          WHERE t.hub = p_hub AND t.instance_id >= v_id AND t.instance_id <= v_id
          ORDER BY t.instance_id, t.id))
        AND (lock_expires_at IS NULL OR lock_expires_at <= v_now);
    WHEN 'insert_tasks' THEN
      WITH added AS (
        INSERT INTO activity_tasks (hub, instance_id, execution_id, task_id, name, input, attempt, lock_token, locked_by, lock_expires_at)
        SELECT p_hub, v_id, v_execution_id, t.task_id, t.name, t.input,
          CASE WHEN t.ord <= coalesce((v_op->>'lease_max')::integer, 0) THEN 1 ELSE 0 END,
          CASE WHEN t.ord <= coalesce((v_op->>'lease_max')::integer, 0) THEN gen_random_uuid()::text END,
          CASE WHEN t.ord <= coalesce((v_op->>'lease_max')::integer, 0) THEN v_op->>'lease_worker' END,
          CASE WHEN t.ord <= coalesce((v_op->>'lease_max')::integer, 0) THEN v_now + (v_op->>'lease_ms')::bigint END
        FROM ROWS FROM (jsonb_to_recordset(v_op->'tasks') AS (task_id integer, name text, input text))
          WITH ORDINALITY AS t(task_id, name, input, ord)
        ORDER BY t.ord
        RETURNING id, task_id, lock_token
      )
      SELECT jsonb_agg(jsonb_build_object('id', a.id::text, 'task_id', a.task_id, 'lock_token', a.lock_token) ORDER BY a.id)
      INTO v_tasks FROM added a WHERE a.lock_token IS NOT NULL;
      leased := leased || coalesce(v_tasks, '[]');
    WHEN 'create_instance' THEN
      IF create_instance(p_hub, v_op->'request') THEN
        readied := true;
      ELSE
        PERFORM deliver_messages(p_hub, jsonb_build_array(v_op->'on_conflict'), NULL, p_channel, p_ready_signal);
      END IF;
    WHEN 'deliver_message' THEN
      PERFORM deliver_messages(p_hub, jsonb_build_array(v_op->'message'), NULL, p_channel, p_ready_signal);
    WHEN 'requeue_messages' THEN
      IF v_mark IS NOT NULL THEN
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
    WHEN 'set_tags' THEN
      -- The instance's row is locked by the update above: the column and the index rows change alike.
      -- Every lookup by the instance's id as a range, which only the primary keys serve (docs/scale-out.md, "Plans").
      DELETE FROM instance_tags WHERE ctid = ANY(ARRAY(
        SELECT t.ctid FROM instance_tags t
        WHERE t.hub = p_hub AND t.instance_id >= v_id AND t.instance_id <= v_id
          AND (t.key = ANY(ARRAY(SELECT jsonb_array_elements_text(v_op->'remove'))) OR v_op->'set' ? t.key)));
      INSERT INTO instance_tags (hub, instance_id, key, value, created_at, row_seq)
      SELECT p_hub, v_id, t.key, t.value, i.created_at, i.row_seq FROM jsonb_each_text(v_op->'set') AS t, instances i
      WHERE i.hub = p_hub AND i.instance_id >= v_id AND i.instance_id <= v_id;
      UPDATE instances SET tags = (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE jsonb_object_agg(t.key, t.value ORDER BY t.key)::text END
          FROM instance_tags t WHERE t.hub = p_hub AND t.instance_id >= v_id AND t.instance_id <= v_id)
      WHERE hub = p_hub AND instance_id >= v_id AND instance_id <= v_id; -- not p_row: the update above gave the row a new version
    END CASE;
  END LOOP;
  -- Messages that arrived while the instance was leased are claimable now that the lease is released.
  readied := refresh_ready_at(p_hub, v_id) IS NOT NULL OR readied;
END
$$;

-- Commits orchestration steps, each fenced on its own. p_lock_ids are every instance the batch writes to,
-- locked first, in id order: batches and deliveries touching the same instances wait for each other
-- instead of deadlocking, and what is read after the lock is complete. When every step of the batch is
-- set-wise (its ops write only to its own instance, in an order whose set-wise form is the same:
-- src/backend/postgres/commit.ts decides) and no two share an instance, the steps are written all at once
-- (write_steps); otherwise one after the other, in the given order, each op after the other (write_op_step).
-- Returns the idx of every step written, with the tasks it leased to the committing worker.
--
-- A step: {idx, instance_id, lock_token, status, execution_id (null: unchanged), set_input, input, output,
-- custom_status, finished, unchanged (keep last_updated_at and completed_at), first_sequence, signals: [text], set_wise} and either, set-wise, {events: [text],
-- consumed: [message id], delete_all, drop_tasks, tasks: [{task_id, name, input}], lease_worker, lease_ms,
-- lease_max (null: lease none), messages: [message]}, or {ops: [op]}, an op being {op: 'append_history' |
-- 'replace_history', events} | {op: 'delete_messages', ids} | {op: 'delete_all_messages'} |
-- {op: 'drop_unleased_tasks'} | {op: 'insert_tasks', tasks, lease_worker, lease_ms, lease_max} |
-- {op: 'create_instance', request: {…create_instance request}, on_conflict: message} |
-- {op: 'deliver_message', message} | {op: 'requeue_messages'} | {op: 'set_tags', set, remove}.
CREATE FUNCTION commit_steps(p_hub text, p_steps jsonb, p_lock_ids text[], p_channel text, p_ready_signal text)
RETURNS TABLE (committed_idx integer, leased jsonb)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_ids text[];
  v_rows tid[];
  v_independent boolean;
  v_step jsonb;
  v_written boolean;
  v_step_leased jsonb;
  v_leased jsonb := '{}';
  v_outgoing jsonb;
  v_signals text[] := '{}';
  v_committed integer[] := '{}';
BEGIN
  SELECT array_agg(locked_id), array_agg(locked_row) INTO v_ids, v_rows FROM lock_instances(p_hub, p_lock_ids);

  v_independent := NOT (p_steps @? '$[*] ? (@.set_wise == false)');
  IF v_independent AND jsonb_array_length(p_steps) > 1 THEN
    SELECT count(DISTINCT x->>'instance_id') = count(*) INTO v_independent FROM jsonb_array_elements(p_steps) AS x;
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
      -- The instance's current row: an earlier step of the batch may have changed it.
      SELECT array_agg(locked_id), array_agg(locked_row) INTO v_ids, v_rows FROM lock_instances(p_hub, ARRAY[v_step->>'instance_id']);
      v_written := NULL;
      v_step_leased := NULL;
      IF (v_step->>'set_wise')::boolean THEN
        SELECT w.written_ready_at IS NOT NULL, coalesce(w.written_leased, '[]') INTO v_written, v_step_leased
        FROM write_steps(p_hub, jsonb_build_array(v_step), v_ids, v_rows, now_ms()) AS w;
        IF v_step_leased IS NOT NULL AND jsonb_array_length(v_step->'messages') > 0 THEN
          PERFORM deliver_messages(p_hub, v_step->'messages', NULL, p_channel, p_ready_signal);
        END IF;
      ELSE
        SELECT w.readied, w.leased INTO v_written, v_step_leased FROM write_op_step(p_hub, v_step, v_rows[1], p_channel, p_ready_signal) AS w;
      END IF;
      CONTINUE WHEN v_step_leased IS NULL;
      v_committed := v_committed || (v_step->>'idx')::integer;
      IF jsonb_array_length(v_step_leased) > 0 THEN
        v_leased := v_leased || jsonb_build_object(v_step->>'idx', v_step_leased);
      END IF;
      IF v_written THEN
        v_signals := v_signals || p_ready_signal;
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
