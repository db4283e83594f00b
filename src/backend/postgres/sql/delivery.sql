-- Creating instances and putting messages in inboxes (src/backend/postgres/delivery.ts), with the clock and the
-- instance locks every other file uses. Re-created whenever this file changes (index.ts).

-- The store's clock in epoch milliseconds. clock_timestamp(), not now(): now() is frozen at the start of the
-- transaction, and a transaction that waited for a row lock would judge leases with a stale time (T14).
CREATE FUNCTION now_ms() RETURNS bigint LANGUAGE sql AS $$
  SELECT floor(extract(epoch from clock_timestamp()) * 1000)::bigint
$$;

-- Claimability (src/backend/step-commit.ts, PENDING_CLAIMABLE_BY, which a test holds this to): a message
-- makes a Pending instance claimable only when it is its start or a termination; an instance of any other
-- status, any message. Inlined by the planner (IMMUTABLE SQL), so indexes serve the callers as before.
CREATE FUNCTION claims_pending(p_event_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_event_type IN ('ExecutionStarted', 'ExecutionTerminated')
$$;

CREATE FUNCTION claimable(p_status text, p_event_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_status <> 'Pending' OR claims_pending(p_event_type)
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
            min(coalesce(m.visible_at, p_now)) FILTER (WHERE claims_pending(m.event_type)) AS start_at
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

-- Keyed client messages (Backend.sendMessagesOnce), one per instance, as deliver_messages takes them. The
-- recipients are locked in id order first, so the key check and its recording cannot race: one the key is
-- recorded for gets nothing (whatever its status now); one whose status is in p_allowed gets its message and
-- the key, in this transaction. One row per message, in order: the recipient's status (null when it does
-- not exist) and whether the key was recorded for it already.
CREATE FUNCTION deliver_messages_once(p_hub text, p_messages jsonb, p_allowed text[], p_key text, p_channel text, p_signal text)
RETURNS TABLE (recipient_status text, duplicate boolean)
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_ids text[];
  v_statuses text[];
  v_keyed text[];
  v_fresh text[];
BEGIN
  SELECT array_agg(l.locked_id), array_agg(l.locked_status) INTO v_ids, v_statuses
  FROM lock_instances(p_hub, ARRAY(SELECT m->>'instance_id' FROM jsonb_array_elements(p_messages) AS m)) AS l;
  IF v_ids IS NULL THEN
    RETURN QUERY SELECT NULL::text, false FROM jsonb_array_elements(p_messages);
    RETURN;
  END IF;
  SELECT coalesce(array_agg(k.instance_id), '{}') INTO v_keyed
  FROM unnest(v_ids) AS x(id)
  JOIN operation_keys k ON k.hub = p_hub AND k.instance_id = x.id COLLATE "C" AND k.operation_key = p_key;
  WITH recorded AS (
    INSERT INTO operation_keys (hub, instance_id, operation_key)
    SELECT p_hub, x.id, p_key FROM unnest(v_ids, v_statuses) AS x(id, status)
    WHERE x.status = ANY(p_allowed) AND x.id <> ALL(v_keyed)
    ON CONFLICT DO NOTHING
    RETURNING instance_id
  )
  SELECT array_agg(r.instance_id) INTO v_fresh FROM recorded AS r;
  IF v_fresh IS NOT NULL THEN
    PERFORM deliver_messages(p_hub,
      (SELECT jsonb_agg(x.m ORDER BY x.ord) FROM jsonb_array_elements(p_messages) WITH ORDINALITY AS x(m, ord)
       WHERE x.m->>'instance_id' = ANY(v_fresh)),
      p_allowed, p_channel, p_signal);
  END IF;
  RETURN QUERY
  SELECT s.status, coalesce(x.m->>'instance_id' = ANY(v_keyed), false)
  FROM jsonb_array_elements(p_messages) WITH ORDINALITY AS x(m, ord)
  LEFT JOIN unnest(v_ids, v_statuses) AS s(id, status) ON s.id = x.m->>'instance_id'
  ORDER BY x.ord;
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
    WHERE claimable(i.status, m.event_type))
  WHERE ctid = (SELECT ctid FROM instances WHERE hub = p_hub AND instance_id >= p_id AND instance_id <= p_id
                ORDER BY instance_id LIMIT 1)
  RETURNING ready_at INTO v_ready_at;
  RETURN v_ready_at;
END
$$;

-- Creates one instance, {instance_id, execution_id, name, input, scheduled_start_at, parent_instance_id,
-- tags: JSON text of {key: value} | null, start: message}, with its start message in its inbox and its tags. A new id is inserted, a finished instance's row
-- replaced (its history, inbox and tasks deleted), an unfinished one left alone and locked, so its status
-- cannot change before the caller reads it. Returns whether it was created.
CREATE FUNCTION create_instance(p_hub text, p_request jsonb) RETURNS boolean
LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  v_created boolean;
  v_created_at bigint;
  v_row_seq bigint;
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
      scheduled_start_at, parent_instance_id, ready_at, tags)
    SELECT p_hub, r.instance_id, r.execution_id, r.name, 'Pending', r.input, r.now, r.now, r.scheduled_start_at,
      r.parent_instance_id, CASE WHEN claims_pending(r.event_type) THEN r.visible_at END,
      p_request->>'tags'
    FROM request r
    ON CONFLICT (hub, instance_id) DO UPDATE SET
      row_seq = DEFAULT, execution_id = excluded.execution_id, name = excluded.name, status = 'Pending',
      input = excluded.input, output = NULL, custom_status = NULL, created_at = excluded.created_at,
      last_updated_at = excluded.last_updated_at, completed_at = NULL, scheduled_start_at = excluded.scheduled_start_at,
      parent_instance_id = excluded.parent_instance_id, ready_at = excluded.ready_at, tags = excluded.tags,
      lock_token = NULL, locked_by = NULL, lock_expires_at = NULL, failed_attempts = 0
    WHERE i.status IN ('Completed', 'Failed', 'Terminated')
    RETURNING i.instance_id, i.created_at, i.row_seq
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
  SELECT c.created_at, c.row_seq INTO v_created_at, v_row_seq FROM created c;
  v_created := FOUND;
  -- The replaced instance's tasks, locked first (a worker may be claiming one), then deleted.
  IF v_created THEN
    -- The instance's row is locked (created or replaced above), so no one else writes its tags meanwhile.
    DELETE FROM instance_tags WHERE ctid = ANY(ARRAY(
      SELECT t.ctid FROM instance_tags t
      WHERE t.hub = p_hub AND t.instance_id >= p_request->>'instance_id' AND t.instance_id <= p_request->>'instance_id'));
    -- Each tag row carries the listing position the row just got (a replaced one gets a new row_seq), as
    -- the upsert returned it: looked up again, a generic plan made while the table was small read the
    -- instance through instances_by_hub_status, every row of the hub (a seed of 100,000 took 412 s).
    INSERT INTO instance_tags (hub, instance_id, key, value, created_at, row_seq)
    SELECT p_hub, p_request->>'instance_id', t.key, t.value, v_created_at, v_row_seq
    FROM jsonb_each_text((p_request->>'tags')::jsonb) AS t;
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
