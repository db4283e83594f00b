/**
 * Putting messages in inboxes. The write itself is the server function deliver_messages (migration 0002):
 * the one write path to the messages table, used by sendMessage here and, inside their own functions, by
 * createInstance, completeActivity and a step's commit. It locks the recipients in id order, inserts the
 * messages of those that exist, moves their ready_at earlier, and notifies the workers, all or nothing.
 */
import type { RuntimeStatus } from '../../core/history.js';
import type { OutgoingMessage } from '../backend.js';
import { named, type PostgresStore } from './db.js';
import { encodeSignal } from './signals.js';

/** A message as the server functions take it (inside a jsonb batch). */
export interface EncodedMessage {
  instance_id: string;
  execution_id: string | null;
  event_type: string;
  event: string;
  visible_at: number | null;
}

export function encodeMessage(message: OutgoingMessage): EncodedMessage {
  return {
    instance_id: message.instanceId,
    execution_id: message.executionId ?? null,
    event_type: message.event.type,
    event: JSON.stringify(message.event),
    visible_at: message.visibleAt ?? null,
  };
}

/**
 * Delivers the message if its recipient exists and has one of `allowedStatuses`, in one statement that
 * locks the row, checks the status and inserts, atomically. Returns the recipient's status, if it exists.
 */
export async function deliverMessage(
  store: PostgresStore,
  hub: string,
  message: OutgoingMessage,
  allowedStatuses: readonly RuntimeStatus[],
): Promise<RuntimeStatus | undefined> {
  const result = await store.pool.query<{ recipient_status: RuntimeStatus }>(
    named('deliver_messages', `SELECT recipient_status FROM ${store.tables.schema}.deliver_messages($1, $2, $3, $4, $5)`,
    [hub, JSON.stringify([encodeMessage(message)]), allowedStatuses, store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
  );
  return result.rows[0]?.recipient_status;
}
