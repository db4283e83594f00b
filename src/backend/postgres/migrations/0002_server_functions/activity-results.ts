/**
 * Part of migration 0002 (../0002_server_functions.ts): completing activity tasks.
 * Released SQL is never edited.
 */
export const ACTIVITY_RESULT_FUNCTIONS = `-- Completes activity tasks: each result is delivered and its task deleted only while the task's lease
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
`;
