/**
 * Part of migration 0002 (../0002_server_functions.ts): the clock, locking instances, and putting messages in inboxes (ready_at kept with them).
 * Released SQL is never edited.
 */
export const INBOX_FUNCTIONS = `
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

`;
