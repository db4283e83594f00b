/**
 * Building blocks of the backend conformance suite. Everything goes through the Backend interface and the
 * store's own clock, so the suite runs unchanged on every backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ActivityWorkItem,
  Backend,
  ClaimOptions,
  CommitOp,
  CreateInstanceRequest,
  NewActivityTask,
  OrchestrationCommit,
  OrchestrationWorkItem,
  OutgoingMessage,
} from '../../backend/backend.js';
import type {
  EventRaisedEvent,
  ExecutionStartedEvent,
  ExecutionTerminatedEvent,
  HistoryEvent,
  RuntimeStatus,
  TaskCompletedEvent,
  TimerFiredEvent,
} from '../../core/history.js';

export type OpenBackend = () => Promise<Backend>;

export { sleep };

/** Long enough that a lease never expires during a test. */
export const LONG_LEASE_MS = 60_000;
/** Short leases for expiry tests, and the real wait that outlasts them (PostgreSQL's clock cannot be faked). */
export const SHORT_LEASE_MS = 150;
export const PAST_SHORT_LEASE_MS = 350;

const TIMESTAMP = '2024-01-01T00:00:00.000Z';

export function randomHub(): string {
  return `conformance-${randomUUID()}`;
}

/** Runs `body` on a fresh backend object and a hub of its own; deletes the hub and closes the backend after. */
export async function withBackend(open: OpenBackend, body: (backend: Backend, hub: string) => Promise<void>): Promise<void> {
  await withBackends(open, 1, ([backend], hub) => body(backend!, hub));
}

/** Several backend objects on the same store, sharing one hub (a client and workers, say). */
export async function withBackends(
  open: OpenBackend,
  count: number,
  body: (backends: Backend[], hub: string) => Promise<void>,
): Promise<void> {
  const backends: Backend[] = [];
  const hub = randomHub();
  try {
    for (let i = 0; i < count; i++) {
      const backend = await open();
      backends.push(backend);
      // Safe to call again on a migrated store, from every object.
      await backend.migrate();
    }
    await body(backends, hub);
  } finally {
    try {
      if (backends[0] !== undefined) await backends[0].deleteHub(hub);
    } finally {
      for (const backend of backends) await backend.close();
    }
  }
}

export function started(executionId: string, name = 'Orchestrator', input?: string): ExecutionStartedEvent {
  const event: ExecutionStartedEvent = { type: 'ExecutionStarted', eventId: -1, timestamp: TIMESTAMP, name, executionId };
  if (input !== undefined) event.input = input;
  return event;
}

export function raised(name: string, input?: string): EventRaisedEvent {
  const event: EventRaisedEvent = { type: 'EventRaised', eventId: -1, timestamp: TIMESTAMP, name };
  if (input !== undefined) event.input = input;
  return event;
}

export function terminated(reason: string): ExecutionTerminatedEvent {
  return { type: 'ExecutionTerminated', eventId: -1, timestamp: TIMESTAMP, reason };
}

export function timerFired(timerId: number): TimerFiredEvent {
  return { type: 'TimerFired', eventId: -1, timestamp: TIMESTAMP, timerId, fireAt: TIMESTAMP };
}

export function taskCompleted(taskScheduledId: number, result?: string): TaskCompletedEvent {
  const event: TaskCompletedEvent = { type: 'TaskCompleted', eventId: -1, timestamp: TIMESTAMP, taskScheduledId };
  if (result !== undefined) event.result = result;
  return event;
}

/** A history event whose `eventId` tells events apart in assertions. */
export function marker(eventId: number): HistoryEvent {
  return { type: 'TaskScheduled', eventId, timestamp: TIMESTAMP, name: `task-${eventId}` };
}

export interface StartOptions {
  executionId?: string;
  name?: string;
  input?: string;
  scheduledStartAt?: number;
  parentInstanceId?: string;
  tags?: Record<string, string>;
}

export function startRequest(instanceId: string, options: StartOptions = {}): CreateInstanceRequest {
  const executionId = options.executionId ?? randomUUID();
  const name = options.name ?? 'Orchestrator';
  const request: CreateInstanceRequest = {
    instanceId,
    executionId,
    name,
    startEvent: started(executionId, name, options.input),
  };
  if (options.input !== undefined) request.input = options.input;
  if (options.scheduledStartAt !== undefined) request.scheduledStartAt = options.scheduledStartAt;
  if (options.tags !== undefined) request.tags = options.tags;
  if (options.parentInstanceId !== undefined) {
    request.parent = { instanceId: options.parentInstanceId, executionId: 'parent-execution', name: 'Parent', taskScheduledId: 0 };
  }
  return request;
}

export async function start(backend: Backend, hub: string, instanceId: string, options: StartOptions = {}): Promise<CreateInstanceRequest> {
  const request = startRequest(instanceId, options);
  assert.deepEqual(await backend.createInstance(hub, request), { created: true });
  return request;
}

/** A commit that consumes every claimed message, then applies `ops`; the instance row as `instance` (default: only the status). */
export function stepCommit(
  item: OrchestrationWorkItem,
  status: RuntimeStatus,
  ops: CommitOp[] = [],
  instance: OrchestrationCommit['instance'] = { status },
): OrchestrationCommit {
  return { instance, ops: [consume(item), ...ops] };
}

/** The op that deletes every message of the work item (consumes them). */
export function consume(item: OrchestrationWorkItem): CommitOp {
  return { op: 'deleteMessages', ids: item.messages.map((m) => m.id) };
}

export function append(events: HistoryEvent[]): CommitOp {
  return { op: 'appendHistory', events };
}

export function replace(events: HistoryEvent[]): CommitOp {
  return { op: 'replaceHistory', events };
}

export function insertTasks(tasks: NewActivityTask[], lease?: ClaimOptions): CommitOp {
  return lease === undefined ? { op: 'insertTasks', tasks } : { op: 'insertTasks', tasks, lease };
}

export function deliver(message: OutgoingMessage): CommitOp {
  return { op: 'deliverMessage', message };
}

/** The ops of a step that finished its instance: its inbox and unleased tasks dropped. */
export const FINISHING_OPS: CommitOp[] = [{ op: 'deleteAllMessages' }, { op: 'dropUnleasedTasks' }];

export async function claimAll(backend: Backend, hub: string, leaseMs = LONG_LEASE_MS, workerId = 'worker-a'): Promise<OrchestrationWorkItem[]> {
  return backend.claimOrchestrations(hub, { workerId, max: 1000, leaseMs });
}

/** Claims, expecting exactly one claimable instance, `instanceId`. */
export async function claimOnly(backend: Backend, hub: string, instanceId: string, leaseMs = LONG_LEASE_MS, workerId = 'worker-a'): Promise<OrchestrationWorkItem> {
  const items = await claimAll(backend, hub, leaseMs, workerId);
  assert.deepEqual(items.map((item) => item.instance.instanceId), [instanceId]);
  return items[0]!;
}

/** Commits a step that must succeed; returns the activity tasks it leased to the committing worker. */
export async function commitOk(backend: Backend, hub: string, item: OrchestrationWorkItem, commit: OrchestrationCommit): Promise<ActivityWorkItem[]> {
  const outcome = await backend.commitOrchestration(hub, item, commit);
  assert.ok(outcome.ok, `the step of ${item.instance.instanceId} committed`);
  if (!commit.ops.some((op) => op.op === 'insertTasks' && op.lease !== undefined)) assert.deepEqual(outcome.leasedActivities, [], 'a commit leases only when asked to');
  return outcome.leasedActivities;
}

/** Starts an instance and runs one step that leaves it in `status`. */
export async function startIn(backend: Backend, hub: string, instanceId: string, status: RuntimeStatus, options: StartOptions = {}): Promise<void> {
  await start(backend, hub, instanceId, options);
  if (status === 'Pending') return;
  const item = await claimOnly(backend, hub, instanceId);
  await commitOk(backend, hub, item, stepCommit(item, status));
}

/** Starts several instances and settles each in its status with one claim round. */
export async function startAllIn(backend: Backend, hub: string, statuses: Record<string, RuntimeStatus>, options: StartOptions = {}): Promise<void> {
  for (const instanceId of Object.keys(statuses)) await start(backend, hub, instanceId, options);
  await settle(backend, hub, statuses);
}

/** Claims every claimable instance and commits those named in `statuses` in their status; the rest (and
 *  the Pending ones) are released unchanged. */
export async function settle(backend: Backend, hub: string, statuses: Record<string, RuntimeStatus>): Promise<void> {
  for (const item of await claimAll(backend, hub)) {
    const status = statuses[item.instance.instanceId];
    if (status === undefined || status === 'Pending') await backend.abandonOrchestration(hub, item, 0);
    else await commitOk(backend, hub, item, stepCommit(item, status));
  }
}

/** Records as plain JSON data: optional fields a backend sets to undefined and those it leaves out compare equal. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function message(instanceId: string, event: OutgoingMessage['event'], extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { instanceId, event, ...extra };
}

/** The event types of a work item's messages, in order. */
export function eventTypes(item: OrchestrationWorkItem): string[] {
  return item.messages.map((m) => m.event.type);
}

/**
 * Several workers claiming at once until nothing is left; returns every id they got, duplicates included.
 * Bounded, so a backend that hands out leased work fails the test instead of looping for ever.
 */
export async function claimConcurrently(workers: number, total: number, claim: (worker: number) => Promise<string[]>): Promise<string[]> {
  const claimed: string[] = [];
  const run = async (worker: number): Promise<void> => {
    for (let round = 0; round <= total; round++) {
      const ids = await claim(worker);
      if (ids.length === 0) return;
      claimed.push(...ids);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, worker) => run(worker)));
  return claimed;
}

/** Waits until the store's clock has moved past `time`, so that what follows gets a later timestamp. */
export async function clockPast(backend: Backend, time: number): Promise<number> {
  for (;;) {
    const now = await backend.now();
    if (now > time) return now;
    await sleep(2);
  }
}

/** Every status, with 0 for those the backend left out. */
export function fullCounts(counts: Partial<Record<RuntimeStatus, number>>): Record<RuntimeStatus, number> {
  return {
    Pending: counts.Pending ?? 0,
    Running: counts.Running ?? 0,
    Completed: counts.Completed ?? 0,
    ContinuedAsNew: counts.ContinuedAsNew ?? 0,
    Failed: counts.Failed ?? 0,
    Terminated: counts.Terminated ?? 0,
    Suspended: counts.Suspended ?? 0,
  };
}
