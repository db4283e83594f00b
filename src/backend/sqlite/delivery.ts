/** The rules for creating instances and delivering messages, shared by the client calls and by a step's
 *  commit. Run inside a write transaction. */
import { isFinished, type RuntimeStatus } from '../../core/history.js';
import type { CreateInstanceOutcome, CreateInstanceRequest, OutgoingMessage, SendMessageOutcome, SendOnceOutcome } from '../backend.js';
import type { SqliteStore } from './store.js';

/** An unfinished instance with that id refuses; a finished one is replaced, its data deleted. */
export function createInstance(store: SqliteStore, hub: string, request: CreateInstanceRequest, now: number): CreateInstanceOutcome {
  const existingStatus = store.instances.status(hub, request.instanceId);
  if (existingStatus !== undefined) {
    if (!isFinished(existingStatus)) return { created: false, existingStatus };
    deleteInstance(store, hub, request.instanceId);
  }
  store.instances.insert(hub, request, now);
  store.messages.insert(hub, {
    instanceId: request.instanceId,
    executionId: request.executionId,
    event: request.startEvent,
    visibleAt: request.scheduledStartAt ?? now,
  }, now);
  return { created: true };
}

/** Delivers a step's message: always to the sender itself, to another instance while it exists, finished
 *  or not (the runtime discards what no longer applies; a rewind of a Failed child needs it). Returns
 *  whether it was inserted. */
export function deliverFromStep(store: SqliteStore, hub: string, senderId: string, message: OutgoingMessage, now: number): boolean {
  if (message.instanceId !== senderId && store.instances.status(hub, message.instanceId) === undefined) return false;
  store.messages.insert(hub, message, now);
  return true;
}

/** Deletes the instance's rows from every table. */
export function deleteInstance(store: SqliteStore, hub: string, instanceId: string): void {
  store.history.delete(hub, instanceId);
  store.messages.deleteAll(hub, instanceId);
  store.activities.deleteAll(hub, instanceId);
  store.instances.delete(hub, instanceId);
}

/** A message from outside any step (a client): only to an existing instance in one of `allowedStatuses`. */
export function sendMessage(
  store: SqliteStore,
  hub: string,
  message: OutgoingMessage,
  allowedStatuses: readonly RuntimeStatus[],
  now: number,
): SendMessageOutcome {
  const status = store.instances.status(hub, message.instanceId);
  if (status === undefined) return { sent: false, reason: 'not-found' };
  if (!allowedStatuses.includes(status)) return { sent: false, reason: 'wrong-status', status };
  store.messages.insert(hub, message, now);
  return { sent: true, status };
}

/** Keyed client messages (Backend.sendMessagesOnce): a key recorded for the instance refuses, whatever its status now. */
export function sendMessagesOnce(
  store: SqliteStore,
  hub: string,
  messages: readonly OutgoingMessage[],
  allowedStatuses: readonly RuntimeStatus[],
  operationKey: string,
  now: number,
): SendOnceOutcome[] {
  return messages.map((message): SendOnceOutcome => {
    const status = store.instances.status(hub, message.instanceId);
    if (status === undefined) return { sent: false, reason: 'not-found' };
    if (store.operationKeys.isRecorded(hub, message.instanceId, operationKey)) return { sent: false, reason: 'duplicate' };
    const outcome = sendMessage(store, hub, message, allowedStatuses, now);
    if (outcome.sent) store.operationKeys.record(hub, message.instanceId, operationKey);
    return outcome;
  });
}

/** An activity's result goes to its instance's inbox while the instance exists (finished or not: the
 *  runtime drops what no longer applies). Returns whether it was inserted. */
export function deliverActivityResult(store: SqliteStore, hub: string, result: OutgoingMessage, now: number): boolean {
  if (store.instances.status(hub, result.instanceId) === undefined) return false;
  store.messages.insert(hub, result, now);
  return true;
}
