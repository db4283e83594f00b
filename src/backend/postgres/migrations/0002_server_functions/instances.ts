/**
 * Part of migration 0002 (../0002_server_functions.ts): creating instances: one, and the client's batch.
 * Released SQL is never edited.
 */
export const INSTANCE_FUNCTIONS = `-- Creates one instance, {instance_id, execution_id, name, input, scheduled_start_at, parent_instance_id,
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
      lock_token = NULL, locked_by = NULL, lock_expires_at = NULL, failed_attempts = 0
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

`;
