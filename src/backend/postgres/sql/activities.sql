-- Completing activity tasks (src/backend/postgres/activities.ts). Re-created whenever this file changes (index.ts).

-- Completes activity tasks: each result is delivered and its task deleted only while the task's lease
-- holds. The recipients are readied (and so locked) first, then the tasks: the order a step's commit follows
-- too (it locks its instance, then drops its unleased tasks); a recipient readied for a result whose lease
-- turned out lost gets its ready_at back from its inbox. A completed result with a claim_worker then claims
-- its recipient for that worker (lease claim_lease_ms), as claim_orchestrations would, if it is claimable,
-- nobody holds it and it has no activity task left (a fan-out is claimed by the result that completes it):
-- the first such result per recipient. Other workers are notified only of recipients
-- left unclaimed. p_results: [{idx, instance_id, id, lock_token, result: message, claim_worker,
-- claim_lease_ms, claim_cached: [execution_id, length] of the recipient's history the claiming worker holds,
-- or null}], in the order they were made (their messages go in in that order). Returns the idx of the
-- completed, each with the work item (as work_items gives it) of the recipient it claimed, if any.
CREATE FUNCTION complete_activities(p_hub text, p_results jsonb, p_channel text, p_signal text)
RETURNS TABLE (completed_idx integer, claimed jsonb)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_now bigint := now_ms();
  v_recipients text[];
  v_tasks tid[];
  v_done integer[];
  v_fed text[];
  v_claim_now bigint;
  v_claim_idx integer[];
  v_claim_rows tid[];
  v_claimed_ids text[];
  v_cached jsonb;
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
    RETURNING instance_id
  )
  SELECT coalesce(array_agg(DISTINCT inserted.instance_id), '{}') INTO v_fed FROM inserted;
  -- Recipients readied for a result whose lease turned out lost get their ready_at back from their inbox.
  PERFORM refresh_ready_at(p_hub, lost.id)
  FROM (SELECT DISTINCT c.result->>'instance_id' AS id FROM jsonb_to_recordset(p_results) AS c(idx integer, result jsonb)
        WHERE c.idx <> ALL(v_done)) AS lost
  WHERE lost.id = ANY(v_recipients);

  IF p_results @? '$[*].claim_worker ? (@ != null)' THEN
    v_claim_now := now_ms();
    WITH asking AS (
      SELECT DISTINCT ON (c.result->>'instance_id') c.idx, c.result->>'instance_id' AS instance_id, c.claim_worker, c.claim_lease_ms, c.claim_cached
      FROM jsonb_to_recordset(p_results) AS c(idx integer, result jsonb, claim_worker text, claim_lease_ms bigint, claim_cached jsonb)
      WHERE c.claim_worker IS NOT NULL AND c.idx = ANY(v_done) AND c.result->>'instance_id' = ANY(v_fed)
        AND NOT EXISTS (
          SELECT 1 FROM activity_tasks t
          WHERE t.hub = p_hub AND t.instance_id >= c.result->>'instance_id' AND t.instance_id <= c.result->>'instance_id')
      ORDER BY c.result->>'instance_id', c.idx
    ),
    recipient_rows AS (
      -- The recipients are locked (ready_recipients); their newest versions, found by the primary key.
      SELECT a.*, r.ctid AS row
      FROM asking a CROSS JOIN LATERAL (
        SELECT i.ctid FROM instances i
        WHERE i.hub = p_hub AND i.instance_id >= a.instance_id AND i.instance_id <= a.instance_id
        ORDER BY i.instance_id) AS r
    ),
    leased AS (
      UPDATE instances i
      SET lock_token = gen_random_uuid()::text, locked_by = r.claim_worker, lock_expires_at = v_claim_now + r.claim_lease_ms,
        failed_attempts = i.failed_attempts + (i.lock_token IS NOT NULL)::integer
      FROM recipient_rows r
      WHERE i.ctid = r.row AND i.ready_at <= v_claim_now AND (i.lock_expires_at IS NULL OR i.lock_expires_at <= v_claim_now)
      RETURNING r.idx, i.ctid AS row, i.instance_id, r.claim_cached
    )
    SELECT array_agg(l.idx), array_agg(l.row), array_agg(l.instance_id),
      coalesce(jsonb_object_agg(l.instance_id, l.claim_cached) FILTER (WHERE l.claim_cached IS NOT NULL), '{}')
    INTO v_claim_idx, v_claim_rows, v_claimed_ids, v_cached FROM leased l;
  END IF;

  IF EXISTS (SELECT 1 FROM unnest(v_fed) AS f(id) WHERE f.id <> ALL(coalesce(v_claimed_ids, '{}'))) THEN
    PERFORM pg_notify(p_channel, p_signal);
  END IF;
  RETURN QUERY
  SELECT d.idx, CASE WHEN c.row IS NOT NULL THEN (SELECT to_jsonb(w) FROM work_items(p_hub, ARRAY[c.row], v_claim_now, v_cached) AS w) END
  FROM unnest(v_done) AS d(idx)
  LEFT JOIN unnest(v_claim_idx, v_claim_rows) AS c(idx, row) ON c.idx = d.idx;
END
$$;

-- Completes activity tasks each with the step its result readies (Backend.completeActivityWithStep,
-- docs/adr/0029-activity-result-and-step-in-one-commit.md), one entry after the other. p_lock_ids are every
-- instance the entries write to, locked first, in id order (as commit_steps does), so what is read after is
-- complete. An entry whose task's lease is lost is left out. Otherwise the instance is judged as
-- activityStepFallback (src/backend/step-commit.ts) judges it, in its order: when nothing is against the
-- step, the task is deleted and the step committed by commit_steps, behind a lease taken for it in this
-- transaction (nobody else can see it); else the entry goes to complete_activities, as completeActivity's
-- would, and the reason is returned. p_entries: [{idx, instance_id, id, lock_token, result, claim_worker,
-- claim_lease_ms, claim_cached (as complete_activities takes them), execution_id, history_length, step_at,
-- max_step_lag_ms (MAX_STEP_TIME_LAG_MS),
-- step: a step as commit_steps takes it, lock_token left out, lock_ids: the instances it writes to}].
-- Returns the idx of each entry completed, with the fallback (null when the step was committed), the
-- tasks the step leased and the work item the fallback claimed, if any.
CREATE FUNCTION complete_activities_with_steps(p_hub text, p_entries jsonb, p_lock_ids text[], p_channel text, p_signal text)
RETURNS TABLE (completed_idx integer, fallback text, leased jsonb, claimed jsonb)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_entry jsonb;
  v_id text;
  v_now bigint;
  v_task tid;
  v_row tid;
  v_execution_id text;
  v_lock_token text;
  v_lock_expires_at bigint;
  v_failed_attempts integer;
  v_length integer;
  v_fallback text;
  v_token text;
BEGIN
  PERFORM lock_instances(p_hub, p_lock_ids);
  FOR v_entry IN SELECT e FROM jsonb_array_elements(p_entries) AS e LOOP
    v_id := v_entry->>'instance_id';
    v_now := now_ms();
    SELECT t.ctid INTO v_task FROM activity_tasks t
    WHERE t.hub = p_hub AND t.instance_id >= v_id AND t.instance_id <= v_id
      AND t.id >= (v_entry->>'id')::bigint AND t.id <= (v_entry->>'id')::bigint
      AND t.lock_token = v_entry->>'lock_token' AND t.lock_expires_at > v_now
    ORDER BY t.instance_id, t.id
    FOR UPDATE;
    CONTINUE WHEN v_task IS NULL;
    SELECT i.ctid, i.execution_id, i.lock_token, i.lock_expires_at, i.failed_attempts
    INTO v_row, v_execution_id, v_lock_token, v_lock_expires_at, v_failed_attempts FROM instances i
    WHERE i.hub = p_hub AND i.instance_id >= v_id AND i.instance_id <= v_id ORDER BY i.instance_id;
    SELECT coalesce((
      SELECT h.sequence + 1 FROM history h
      WHERE h.hub = p_hub AND h.instance_id >= v_id AND h.instance_id <= v_id
      ORDER BY h.instance_id DESC, h.sequence DESC LIMIT 1), 0) INTO v_length;
    v_fallback := CASE
      WHEN v_row IS NULL OR v_execution_id IS DISTINCT FROM v_entry->>'execution_id'
        OR v_length <> (v_entry->>'history_length')::integer THEN 'history-moved'
      WHEN v_lock_expires_at > v_now THEN 'instance-leased'
      WHEN v_lock_token IS NOT NULL OR v_failed_attempts > 0 THEN 'failed-attempts'
      WHEN EXISTS (SELECT 1 FROM messages m
                   WHERE m.hub = p_hub AND m.instance_id >= v_id AND m.instance_id <= v_id AND m.visible_at <= v_now
                   ORDER BY m.instance_id, m.id) THEN 'inbox-not-empty'
      WHEN EXISTS (SELECT 1 FROM activity_tasks t
                   WHERE t.hub = p_hub AND t.instance_id >= v_id AND t.instance_id <= v_id AND t.ctid <> v_task
                   ORDER BY t.instance_id, t.id) THEN 'tasks-left'
      WHEN (v_entry->>'step_at')::bigint > v_now OR (v_entry->>'step_at')::bigint < v_now - (v_entry->>'max_step_lag_ms')::bigint THEN 'step-time-off'
    END;
    IF v_fallback IS NOT NULL THEN
      RETURN QUERY SELECT c.completed_idx, v_fallback, NULL::jsonb, c.claimed
        FROM complete_activities(p_hub, jsonb_build_array(v_entry), p_channel, p_signal) AS c;
      CONTINUE;
    END IF;
    DELETE FROM activity_tasks WHERE ctid = v_task;
    v_token := gen_random_uuid()::text;
    UPDATE instances SET lock_token = v_token, lock_expires_at = v_now + 60000 WHERE ctid = v_row;
    RETURN QUERY SELECT c.committed_idx, NULL::text, coalesce(c.leased, '[]'), NULL::jsonb
      FROM commit_steps(p_hub, jsonb_build_array(jsonb_set(v_entry->'step', '{lock_token}', to_jsonb(v_token))),
        ARRAY(SELECT jsonb_array_elements_text(v_entry->'lock_ids')), p_channel, p_signal) AS c;
  END LOOP;
END
$$;
