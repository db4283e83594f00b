-- Claiming orchestration steps and activity tasks (src/backend/postgres/claims.ts, activities.ts).
-- Re-created whenever this file changes (index.ts).

-- The work items of instances just leased (p_rows: their rows, in the order to return them), each with its
-- history's length, its history and its visible inbox as JSON arrays ([event, …]; [[id, execution_id,
-- event], …]), p_now being the claim's time. The history is null when p_cached ({instance_id:
-- [execution_id, length]}, the histories the claiming worker holds) names the instance's current execution
-- and length: the worker has it (sticky execution), and the length is read from the primary key's last
-- entry, so such a claim costs the same at any history length. Called by a statement after the one that
-- leased them, so that it sees every commit before the lease.
CREATE FUNCTION work_items(p_hub text, p_rows tid[], p_now bigint, p_cached jsonb)
RETURNS TABLE (instance_id text, execution_id text, name text, status text, input text, output text, custom_status text,
  created_at bigint, last_updated_at bigint, completed_at bigint, scheduled_start_at bigint, parent_instance_id text,
  lock_token text, claimed_at bigint, failed_attempts integer, history_length integer, history text, messages text)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT i.instance_id, i.execution_id, i.name, i.status, i.input, i.output, i.custom_status, i.created_at,
    i.last_updated_at, i.completed_at, i.scheduled_start_at, i.parent_instance_id, i.lock_token, p_now, i.failed_attempts, n.length,
    CASE WHEN p_cached->i.instance_id IS DISTINCT FROM jsonb_build_array(i.execution_id, n.length) THEN
      coalesce((SELECT '[' || string_agg(h.event, ',' ORDER BY h.sequence) || ']'
                FROM history h WHERE h.hub = p_hub AND h.instance_id = i.instance_id), '[]')
    END,
    (SELECT '[' || string_agg('[' || to_json(m.id::text) || ',' || coalesce(to_json(m.execution_id)::text, 'null') || ',' || m.event || ']',
                              ',' ORDER BY m.id) || ']'
     FROM (SELECT m.id, m.execution_id, m.event FROM messages m
           WHERE m.hub = p_hub AND m.instance_id >= i.instance_id AND m.instance_id <= i.instance_id AND m.visible_at <= p_now
           ORDER BY m.instance_id, m.id) AS m)
  FROM unnest(p_rows) WITH ORDINALITY AS x(row, ord)
  CROSS JOIN LATERAL (SELECT * FROM instances WHERE ctid = x.row) AS i
  CROSS JOIN LATERAL (SELECT coalesce((
      SELECT h.sequence + 1 FROM history h
      WHERE h.hub = p_hub AND h.instance_id >= i.instance_id AND h.instance_id <= i.instance_id
      ORDER BY h.instance_id DESC, h.sequence DESC LIMIT 1), 0) AS length) AS n
  ORDER BY x.ord;
END
$$;

-- The time from p_now until orchestration work may become claimable (null: nothing is timed): a message
-- becoming visible (a timer, a scheduled start) or an instance's lease or not-before time running out. Each
-- minimum is the first entry of an index range (messages_by_visible_at, instances_leased), as for nextWakeAt
-- (wake.ts).
CREATE FUNCTION ms_until_orchestration_work(p_hub text, p_now bigint) RETURNS bigint
LANGUAGE sql SET search_path FROM CURRENT SET enable_seqscan = off AS $$
  SELECT LEAST(
    (SELECT min(visible_at) FROM messages WHERE hub = p_hub AND visible_at > p_now),
    (SELECT min(lock_expires_at) FROM instances WHERE hub = p_hub AND lock_expires_at > p_now)) - p_now
$$;

-- The time from p_now until an activity task's lease runs out (null: none is leased).
CREATE FUNCTION ms_until_activity_work(p_hub text, p_now bigint) RETURNS bigint
LANGUAGE sql SET search_path FROM CURRENT SET enable_seqscan = off AS $$
  SELECT min(lock_expires_at) - p_now FROM activity_tasks WHERE hub = p_hub AND lock_expires_at > p_now
$$;

-- Claims up to p_max ready instances, oldest ready first, with FOR UPDATE SKIP LOCKED (claimers on other
-- connections pass over each other's rows) and leases them; they come back as work_items (without the
-- histories p_cached names current). Those are read by
-- a statement of their own, after the claim: the claim can lease a row that the previous owner's commit
-- released after the claim took its snapshot (the row is re-checked at its newest version), and only a later
-- statement sees the history that commit wrote. A claim that picks nothing answers one row instead, all null
-- but ms_until_timed_work (ms_until_orchestration_work), so an idle worker learns how long it may sleep
-- without another round trip.
--
-- The claim commits asynchronously (synchronous_commit off for its transaction only): it only moves a
-- lease. Lost on a server crash, it frees the lease, the work is claimed again, and the fence rejects the
-- worker's later commit; a durable commit after it flushes its WAL too. (The SQLite backend does the same.)
CREATE FUNCTION claim_orchestrations(p_hub text, p_max integer, p_worker text, p_lease_ms bigint, p_cached jsonb)
RETURNS TABLE (instance_id text, execution_id text, name text, status text, input text, output text, custom_status text,
  created_at bigint, last_updated_at bigint, completed_at bigint, scheduled_start_at bigint, parent_instance_id text,
  lock_token text, claimed_at bigint, failed_attempts integer, history_length integer, history text, messages text,
  ms_until_timed_work bigint)
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
    -- The one row of nulls of an outer join with no work item, carrying the time.
    RETURN QUERY SELECT w.*, ms_until_orchestration_work(p_hub, v_now)
      FROM (VALUES (1)) AS one LEFT JOIN work_items(p_hub, ARRAY[]::tid[], v_now, NULL) AS w ON true;
    RETURN;
  END IF;
  WITH claimed AS (
    -- A lease still set when the instance is claimed ran out: the attempt it gave ended without a commit.
    UPDATE instances SET lock_token = gen_random_uuid()::text, locked_by = p_worker, lock_expires_at = v_now + p_lease_ms,
      failed_attempts = instances.failed_attempts + (instances.lock_token IS NOT NULL)::integer
    WHERE ctid = ANY(v_picked)
    RETURNING ctid, ready_at, instance_id
  )
  SELECT array_agg(ctid ORDER BY ready_at, instance_id) INTO v_rows FROM claimed;
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY SELECT w.*, NULL::bigint FROM work_items(p_hub, v_rows, v_now, p_cached) AS w;
END
$$;

-- Claims up to p_max activity tasks, oldest first, with FOR UPDATE SKIP LOCKED, and leases them; each claim
-- counts an attempt. Committed asynchronously, as claim_orchestrations is: a lost claim frees the lease, and
-- the task runs again (activities run at least once). A claim that picks nothing answers one row, all null but
-- ms_until_timed_work (ms_until_activity_work), as claim_orchestrations does.
CREATE FUNCTION claim_activities(p_hub text, p_max integer, p_worker text, p_lease_ms bigint)
RETURNS TABLE (id bigint, instance_id text, execution_id text, task_id integer, name text, input text, attempt integer,
  lock_token text, ms_until_timed_work bigint)
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
    RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::integer, NULL::text,
      ms_until_activity_work(p_hub, v_now);
    RETURN;
  END IF;
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
  UPDATE activity_tasks t
  SET lock_token = gen_random_uuid()::text, locked_by = p_worker, lock_expires_at = v_now + p_lease_ms, attempt = t.attempt + 1
  WHERE t.ctid = ANY(v_picked)
  RETURNING t.id, t.instance_id, t.execution_id, t.task_id, t.name, t.input, t.attempt, t.lock_token, NULL::bigint;
END
$$;
