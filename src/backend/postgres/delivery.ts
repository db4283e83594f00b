/**
 * Creating instances and putting messages in inboxes, for the client calls and for a step's commit. The
 * writes are server functions (sql/delivery.sql). deliver_messages is the one write path to the messages
 * table, used by sendMessage here and, inside their own functions, by createInstance, completeActivity and
 * a step's commit: it locks the recipients in id order, inserts the messages of those that exist, moves
 * their ready_at earlier, and notifies the workers, all or nothing. upsert_instances and create_instances
 * create instances (a group-committed batch of createInstance calls, or a step's sub-orchestrations): an
 * id taken by an unfinished instance is refused; one taken by a finished instance is replaced, its rows
 * deleted; a created instance gets its start message, in the same call.
 */
import type { RuntimeStatus } from '../../core/history.js';
import type { CreateInstanceOutcome, CreateInstanceRequest, OutgoingMessage, SendOnceOutcome } from '../backend.js';
import { named, type PostgresStore } from './connection.js';
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

/** Keyed messages (Backend.sendMessagesOnce), in one call of deliver_messages_once: one outcome per message, in order. */
export async function deliverMessagesOnce(
  store: PostgresStore,
  hub: string,
  messages: readonly OutgoingMessage[],
  allowedStatuses: readonly RuntimeStatus[],
  operationKey: string,
): Promise<SendOnceOutcome[]> {
  if (messages.length === 0) return [];
  const result = await store.pool.query<{ recipient_status: RuntimeStatus | null; duplicate: boolean }>(
    named('deliver_messages_once', `SELECT recipient_status, duplicate FROM ${store.tables.schema}.deliver_messages_once($1, $2, $3, $4, $5, $6)`,
    [hub, JSON.stringify(messages.map(encodeMessage)), allowedStatuses, operationKey, store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
  );
  return result.rows.map((row): SendOnceOutcome => {
    if (row.recipient_status === null) return { sent: false, reason: 'not-found' };
    if (row.duplicate) return { sent: false, reason: 'duplicate' };
    if (!allowedStatuses.includes(row.recipient_status)) return { sent: false, reason: 'wrong-status', status: row.recipient_status };
    return { sent: true, status: row.recipient_status };
  });
}

/** A request as upsert_instances takes it, with the created instance's start message. */
export interface EncodedCreateRequest {
  instance_id: string;
  execution_id: string;
  name: string;
  input: string | null;
  scheduled_start_at: number | null;
  parent_instance_id: string | null;
  /** JSON text, stored as given (so in the order the caller chose, where jsonb would reorder); null when none. */
  tags: string | null;
  start: EncodedMessage;
}

export function encodeCreateRequest(request: CreateInstanceRequest): EncodedCreateRequest {
  return {
    instance_id: request.instanceId,
    execution_id: request.executionId,
    name: request.name,
    input: request.input ?? null,
    scheduled_start_at: request.scheduledStartAt ?? null,
    parent_instance_id: request.parent?.instanceId ?? null,
    tags: request.tags === undefined || Object.keys(request.tags).length === 0 ? null : JSON.stringify(request.tags),
    start: encodeMessage(startMessage(request)),
  };
}

/** The ExecutionStarted message of a created instance: visible at its scheduled start, or now. */
export function startMessage(request: CreateInstanceRequest): OutgoingMessage {
  const message: OutgoingMessage = { instanceId: request.instanceId, executionId: request.executionId, event: request.startEvent };
  if (request.scheduledStartAt !== undefined) message.visibleAt = request.scheduledStartAt;
  return message;
}

/**
 * One outcome per request, in order, as if the requests ran one after the other: a second request for an
 * id in the batch finds the instance the first created (Pending).
 */
export async function createInstances(
  store: PostgresStore,
  hub: string,
  requests: readonly CreateInstanceRequest[],
): Promise<CreateInstanceOutcome[]> {
  const result = await store.pool.query<{ created: boolean; existing_status: RuntimeStatus | null }>(
    named('create_instances', `SELECT created, existing_status FROM ${store.tables.schema}.create_instances($1, $2, $3, $4)`,
    [hub, JSON.stringify(requests.map(encodeCreateRequest)), store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
  );
  return result.rows.map((row, index): CreateInstanceOutcome => {
    if (row.created) return { created: true };
    // The row was locked by the upsert, so it cannot have vanished before the function read its status.
    if (row.existing_status === null) throw new Error(`instance '${requests[index]!.instanceId}' was refused as existing but is not found`);
    return { created: false, existingStatus: row.existing_status };
  });
}
