/**
 * Puts messages in inboxes: the one write path to the messages table, used by sendMessage, createInstance,
 * completeActivity and a step's commit. One statement locks the recipients (in id order, so two
 * transactions delivering to the same instances cannot deadlock), inserts the messages of those that
 * exist, moves their ready_at earlier, and notifies the workers, all or nothing.
 */
import type { RuntimeStatus } from '../../core/history.js';
import type { OutgoingMessage } from '../backend.js';
import { named, type PostgresStore, type Queryable } from './db.js';
import { encodeSignal } from './signals.js';
import { NOW_MS, PENDING_WAKE_EVENTS_SQL } from './sql.js';

export interface Delivery {
  /** The status of every recipient that exists, as locked by the delivery. */
  recipients: Map<string, RuntimeStatus>;
}

/**
 * Delivers each message whose recipient exists (and, with `allowedStatuses`, has one of them); messages to
 * missing instances are dropped. Messages are inserted in the given order, which is their arrival order.
 */
export async function deliverMessages(
  store: PostgresStore,
  db: Queryable,
  hub: string,
  messages: readonly OutgoingMessage[],
  allowedStatuses?: readonly RuntimeStatus[],
): Promise<Delivery> {
  if (messages.length === 0) return { recipients: new Map() };
  const { instances, messages: inbox } = store.tables;
  const result = await db.query<{ instance_id: string; status: RuntimeStatus }>(
    named('deliver_messages', `WITH now AS (SELECT ${NOW_MS} AS t),
    incoming AS (
      SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
        WITH ORDINALITY AS m(instance_id, execution_id, event_type, event, visible_at, ord)
    ),
    recipients AS (
      SELECT i.instance_id, i.status FROM ${instances} i
      WHERE i.hub = $1 AND i.instance_id = ANY($2::text[])
      ORDER BY i.instance_id
      FOR NO KEY UPDATE
    ),
    inserted AS (
      INSERT INTO ${inbox} (hub, instance_id, execution_id, event_type, event, visible_at)
      SELECT $1, m.instance_id, m.execution_id, m.event_type, m.event, coalesce(m.visible_at, now.t)
      FROM incoming m JOIN recipients r USING (instance_id) CROSS JOIN now
      WHERE $7::text[] IS NULL OR r.status = ANY($7::text[])
      ORDER BY m.ord
      RETURNING instance_id, event_type, visible_at
    ),
    readied AS (
      UPDATE ${instances} i SET ready_at = LEAST(i.ready_at, w.visible_at)
      FROM (SELECT m.instance_id, min(m.visible_at) AS visible_at
            FROM inserted m JOIN recipients r USING (instance_id)
            WHERE r.status <> 'Pending' OR m.event_type IN ${PENDING_WAKE_EVENTS_SQL}
            GROUP BY m.instance_id) w
      WHERE i.hub = $1 AND i.instance_id = w.instance_id
    )
    -- The subquery runs once and notifies only when a message went in.
    SELECT r.instance_id, r.status,
      (SELECT count(pg_notify($8, $9)) FROM (SELECT 1 FROM inserted LIMIT 1) AS any_inserted) AS notified
    FROM recipients r`,
    [
      hub,
      messages.map((message) => message.instanceId),
      messages.map((message) => message.executionId ?? null),
      messages.map((message) => message.event.type),
      messages.map((message) => JSON.stringify(message.event)),
      messages.map((message) => message.visibleAt ?? null),
      allowedStatuses ?? null,
      store.channel,
      encodeSignal(hub, { kind: 'orchestration' }),
    ]),
  );
  return { recipients: new Map(result.rows.map((row) => [row.instance_id, row.status])) };
}
