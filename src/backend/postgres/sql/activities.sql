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
