/**
 * A mixed load for scale-out and chaos tests (docs/reliability.md, T05, T07): chains, fan-outs, durable timers,
 * approvals answered by events and counters fed by events, each instance planned with the output it must
 * end with and the tasks its history must schedule, so that a lost or repeated step shows.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import type { OrchestrationStatus, StepAuditRecord, TaskHubClient } from '../../src/index.js';
import { assertHistoryInvariant } from './history-invariant.js';

export interface MixShape {
  chains: number;
  fans: number;
  sleeps: number;
  approvals: number;
  counters: number;
  chainSteps: number;
  fanWidth: number;
  /** How long each SlowEcho activity of a chain or fan-out takes. */
  activityDelayMs: number;
  /** Sleep timers are spread evenly over this range of seconds. */
  sleepSeconds: readonly [number, number];
}

export interface RaisedEvent {
  name: string;
  data?: unknown;
}

export interface PlannedInstance {
  id: string;
  name: string;
  input: unknown;
  /** Sent in order once the instance exists. */
  events: RaisedEvent[];
  expectedOutput: unknown;
  /** TaskScheduled and TimerCreated events in the final execution's history. */
  expectedTasks: number;
}

/** The instances of a shape, kinds interleaved so the load stays mixed while it drains. */
export function planMix(shape: MixShape, idPrefix: string): PlannedInstance[] {
  const byKind: PlannedInstance[][] = [
    range(shape.chains, (i) => ({
      id: `${idPrefix}chain-${i}`,
      name: 'Chain',
      input: { steps: shape.chainSteps, delayMs: shape.activityDelayMs },
      events: [],
      expectedOutput: triangle(shape.chainSteps),
      expectedTasks: shape.chainSteps,
    })),
    range(shape.fans, (i) => ({
      id: `${idPrefix}fan-${i}`,
      name: 'Fan',
      input: { width: shape.fanWidth, delayMs: shape.activityDelayMs },
      events: [],
      expectedOutput: triangle(shape.fanWidth),
      expectedTasks: shape.fanWidth,
    })),
    range(shape.sleeps, (i) => {
      const [from, to] = shape.sleepSeconds;
      return {
        id: `${idPrefix}sleep-${i}`,
        name: 'Sleep',
        input: from + ((to - from) * i) / Math.max(shape.sleeps - 1, 1),
        events: [],
        expectedOutput: 'done',
        expectedTasks: 1,
      };
    }),
    range(shape.approvals, (i) => ({
      id: `${idPrefix}approval-${i}`,
      name: 'Approval',
      input: { timeoutSeconds: 600 },
      events: [{ name: 'Approval', data: { approver: i } }],
      expectedOutput: { outcome: 'approved', data: { approver: i } },
      expectedTasks: 1,
    })),
    range(shape.counters, (i) => {
      const adds = range((i % 3) + 1, (k) => k + 1);
      return {
        id: `${idPrefix}counter-${i}`,
        name: 'Counter',
        input: { total: 0 },
        events: [...adds.map((value) => ({ name: 'Add', data: value })), { name: 'Stop' }],
        expectedOutput: triangle(adds.length),
        expectedTasks: 0,
      };
    }),
  ];
  const longest = Math.max(...byKind.map((list) => list.length));
  return range(longest, (i) => byKind.flatMap((list) => (i < list.length ? [list[i]!] : []))).flat();
}

export async function startAll(client: TaskHubClient, plan: readonly PlannedInstance[]): Promise<void> {
  await forEachConcurrently(plan, 16, async (instance) => {
    await client.startNew(instance.name, { instanceId: instance.id, input: instance.input });
  });
}

/** Raises each instance's events in order; instances proceed side by side. */
export async function raiseAllEvents(client: TaskHubClient, plan: readonly PlannedInstance[]): Promise<void> {
  await forEachConcurrently(plan, 16, async (instance) => {
    for (const event of instance.events) await client.raiseEvent(instance.id, event.name, event.data);
  });
}

export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = range(Math.min(limit, items.length), async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/** Waits (bounded) until no instance of the hub is left unfinished; answers the counts per status. */
export async function waitUntilAllFinished(client: TaskHubClient, total: number, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await client.countInstances();
    const finished = counts.Completed + counts.Failed + counts.Terminated;
    if (finished >= total) return counts;
    if (Date.now() > deadline) assert.fail(`after ${timeoutMs} ms only ${finished} of ${total} instances finished: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function listAll(client: TaskHubClient): Promise<Map<string, OrchestrationStatus>> {
  const statuses = new Map<string, OrchestrationStatus>();
  for await (const status of client.listAllInstances({ pageSize: 1000 })) statuses.set(status.instanceId, status);
  return statuses;
}

export interface OutcomeCheck {
  /** The history invariant is checked on this many instances (every one that is not Completed besides). */
  historySample: number;
}

/**
 * Every planned instance Completed with its expected output; the history invariant, one terminal event
 * and exactly the planned number of scheduled tasks on a sample and on every instance that did not complete.
 */
export async function assertOutcomes(
  client: TaskHubClient,
  backend: Backend,
  plan: readonly PlannedInstance[],
  check: OutcomeCheck,
): Promise<{ historiesChecked: number }> {
  const statuses = await listAll(client);
  assert.equal(statuses.size, plan.length, 'every planned instance exists, and no other');
  const stride = Math.max(1, Math.floor(plan.length / check.historySample));
  const toCheck = plan.filter((instance, index) => index % stride === 0 || statuses.get(instance.id)?.runtimeStatus !== 'Completed');
  for (const instance of toCheck) {
    const events = await assertHistoryInvariant(backend, client.hub, instance.id);
    const terminal = events.filter((event) => event.type === 'ExecutionCompleted' || event.type === 'ExecutionTerminated');
    assert.equal(terminal.length, 1, `${instance.id}: one terminal event`);
    const tasks = events.filter((event) => event.type === 'TaskScheduled' || event.type === 'TimerCreated');
    assert.equal(tasks.length, instance.expectedTasks, `${instance.id}: every task scheduled once`);
  }
  for (const instance of plan) {
    const status = statuses.get(instance.id);
    assert.equal(status?.runtimeStatus, 'Completed', `${instance.id} completed (${JSON.stringify(status?.output)})`);
    assert.equal(status.name, instance.name);
    assert.deepEqual(status.output, instance.expectedOutput, `${instance.id}: output`);
  }
  return { historiesChecked: toCheck.length };
}

/** No instance had two steps committed with a finished status (a worker never redid a completed instance). */
export function assertFinishedAtMostOnce(records: readonly StepAuditRecord[]): void {
  const finishing = new Map<string, number>();
  for (const record of records) {
    if (record.status === 'Completed' || record.status === 'Failed' || record.status === 'Terminated') {
      finishing.set(record.instanceId, (finishing.get(record.instanceId) ?? 0) + 1);
    }
  }
  for (const [instanceId, count] of finishing) assert.equal(count, 1, `${instanceId} was finished by ${count} steps`);
}

function range<T>(length: number, at: (index: number) => T): T[] {
  return Array.from({ length }, (_, index) => at(index));
}

function triangle(n: number): number {
  return (n * (n + 1)) / 2;
}
