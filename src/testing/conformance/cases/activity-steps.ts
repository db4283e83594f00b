/**
 * completeActivityWithStep: an activity's result and the step it readies committed in one transaction,
 * and, for each reason the store finds against the step (step-commit.ts, activityStepFallback), the
 * result delivered instead as completeActivity would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityStep, ActivityWorkItem, Backend, CreateInstanceRequest, OrchestrationCommit } from '../../../backend/backend.js';
import {
  FINISHING_OPS,
  LONG_LEASE_MS,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  append,
  claimAll,
  claimOnly,
  commitOk,
  eventTypes,
  insertTasks,
  marker,
  message,
  raised,
  sleep,
  start,
  stepCommit,
  taskCompleted,
  type OpenBackend,
  withBackend,
} from '../fixtures.js';

const WORKER = 'worker-a';
const lease = (max = 1, leaseMs = LONG_LEASE_MS) => ({ workerId: WORKER, max, leaseMs });
const claimNext = { workerId: WORKER, leaseMs: LONG_LEASE_MS };

/** An instance whose first step wrote two events and leased its activities (`names`) to WORKER. */
async function chain(backend: Backend, hub: string, instanceId: string, names = ['A'], leaseMs = LONG_LEASE_MS): Promise<{ request: CreateInstanceRequest; tasks: ActivityWorkItem[] }> {
  const request = await start(backend, hub, instanceId);
  const item = await claimOnly(backend, hub, instanceId);
  const tasks = await commitOk(backend, hub, item, stepCommit(item, 'Running', [
    append([marker(0), marker(1)]),
    insertTasks(names.map((name, taskId) => ({ taskId, name })), lease(names.length, leaseMs)),
  ]));
  assert.equal(tasks.length, names.length);
  return { request, tasks };
}

/** The step after the history of two events: one more event and, unless it finishes, the next activity leased. */
async function nextStep(backend: Backend, request: CreateInstanceRequest, commit?: OrchestrationCommit): Promise<ActivityStep> {
  return {
    executionId: request.executionId,
    historyLength: 2,
    stepAt: await backend.now(),
    commit: commit ?? { instance: { status: 'Running' }, ops: [append([marker(2)]), { op: 'deleteMessages', ids: [] }, insertTasks([{ taskId: 1, name: 'B' }], lease())] },
  };
}

async function historyOf(backend: Backend, hub: string, instanceId: string): Promise<number[]> {
  return (await backend.getHistory(hub, instanceId)).map((record) => record.event.eventId);
}

export function describeActivitySteps(open: OpenBackend): void {
  describe('activity results with the step they ready', () => {
    it('commit the step in the transaction that completes the activity: history, next task leased, lease released', () =>
      withBackend(open, async (backend, hub) => {
        const { request, tasks } = await chain(backend, hub, 'ahead');
        const step = await nextStep(backend, request);
        const outcome = await backend.completeActivityWithStep(hub, tasks[0]!, message('ahead', taskCompleted(0, '"a"'), { executionId: request.executionId }), step, claimNext);
        assert.ok(outcome.ok && outcome.stepCommitted, 'the step was committed');
        assert.deepEqual(outcome.leasedActivities.map((task) => [task.instanceId, task.executionId, task.taskId, task.name, task.attempt]), [['ahead', request.executionId, 1, 'B', 1]]);
        assert.deepEqual(await historyOf(backend, hub, 'ahead'), [0, 1, 2]);
        assert.deepEqual(await claimAll(backend, hub), [], 'the result was consumed, not delivered, and no lease is left on the instance');
        assert.equal((await backend.getInstance(hub, 'ahead'))?.status, 'Running');
        assert.deepEqual(await backend.claimActivities(hub, { workerId: 'other', max: 10, leaseMs: LONG_LEASE_MS }), [], 'the next task is leased to the completing worker');
        assert.deepEqual(
          await backend.completeActivityWithStep(hub, tasks[0]!, message('ahead', taskCompleted(0)), step),
          { ok: false, reason: 'lease-lost' },
          'the completed task is gone',
        );

        const finish = await nextStep(backend, request, { instance: { status: 'Completed', output: '"done"' }, ops: [append([marker(3)]), ...FINISHING_OPS] });
        const done = await backend.completeActivityWithStep(hub, outcome.leasedActivities[0]!, message('ahead', taskCompleted(1)), { ...finish, historyLength: 3 });
        assert.deepEqual(done, { ok: true, stepCommitted: true, leasedActivities: [] });
        const instance = await backend.getInstance(hub, 'ahead');
        assert.equal(instance?.status, 'Completed');
        assert.equal(instance?.output, '"done"');
        assert.ok(instance?.completedAt !== undefined);
        assert.deepEqual(await historyOf(backend, hub, 'ahead'), [0, 1, 2, 3]);
      }));

    it('deliver the result instead when another message waits in the inbox, claiming the instance as completeActivity would', () =>
      withBackend(open, async (backend, hub) => {
        const { request, tasks } = await chain(backend, hub, 'waiting');
        await backend.sendMessage(hub, message('waiting', raised('news')), ['Running']);
        const outcome = await backend.completeActivityWithStep(hub, tasks[0]!, message('waiting', taskCompleted(0)), await nextStep(backend, request), claimNext);
        assert.ok(outcome.ok && !outcome.stepCommitted);
        assert.equal(outcome.fallback, 'inbox-not-empty');
        assert.ok(outcome.claimed, 'claimed for the completing worker');
        assert.deepEqual(eventTypes(outcome.claimed), ['EventRaised', 'TaskCompleted']);
        assert.equal(outcome.claimed.historyLength, 2);
        assert.deepEqual(await historyOf(backend, hub, 'waiting'), [0, 1], 'nothing of the step was written');
        assert.deepEqual(await backend.claimActivities(hub, { workerId: 'other', max: 10, leaseMs: LONG_LEASE_MS }), [], 'no task was inserted');
      }));

    it('deliver the result instead when the history moved on or the execution is another', () =>
      withBackend(open, async (backend, hub) => {
        const { request, tasks } = await chain(backend, hub, 'moved', ['A', 'B']);
        const behind = { ...(await nextStep(backend, request)), historyLength: 1 };
        const outcome = await backend.completeActivityWithStep(hub, tasks[0]!, message('moved', taskCompleted(0)), behind);
        assert.deepEqual(outcome, { ok: true, stepCommitted: false, fallback: 'history-moved' });
        const other = { ...(await nextStep(backend, request)), executionId: 'another-execution' };
        assert.deepEqual(await backend.completeActivityWithStep(hub, tasks[1]!, message('moved', taskCompleted(1)), other), { ok: true, stepCommitted: false, fallback: 'history-moved' });
        const [item] = await claimAll(backend, hub);
        assert.deepEqual(item && eventTypes(item), ['TaskCompleted', 'TaskCompleted'], 'both results were delivered');
        assert.deepEqual(await historyOf(backend, hub, 'moved'), [0, 1]);
      }));

    it("write nothing when the activity's lease was lost", () =>
      withBackend(open, async (backend, hub) => {
        const { request, tasks } = await chain(backend, hub, 'lost', ['A'], SHORT_LEASE_MS);
        await sleep(PAST_SHORT_LEASE_MS);
        const outcome = await backend.completeActivityWithStep(hub, tasks[0]!, message('lost', taskCompleted(0)), await nextStep(backend, request), claimNext);
        assert.deepEqual(outcome, { ok: false, reason: 'lease-lost' });
        assert.deepEqual(await historyOf(backend, hub, 'lost'), [0, 1]);
        assert.deepEqual(await claimAll(backend, hub), [], 'nothing was delivered');
        const again = await backend.claimActivities(hub, { workerId: 'other', max: 10, leaseMs: LONG_LEASE_MS });
        assert.deepEqual(again.map((task) => [task.taskId, task.attempt]), [[0, 2]], 'the task is still there for another worker');
      }));

    it('deliver the result instead while another worker holds the instance, or when an earlier claim of it never committed', () =>
      withBackend(open, async (backend, hub) => {
        const { request, tasks } = await chain(backend, hub, 'held', ['A', 'B']);
        await backend.sendMessage(hub, message('held', raised('news')), ['Running']);
        const [held] = await claimAll(backend, hub, SHORT_LEASE_MS, 'other-worker');
        assert.equal(held?.instance.instanceId, 'held');
        const outcome = await backend.completeActivityWithStep(hub, tasks[0]!, message('held', taskCompleted(0)), await nextStep(backend, request), claimNext);
        assert.deepEqual(outcome, { ok: true, stepCommitted: false, fallback: 'instance-leased' }, 'not claimed either: the other worker holds it');

        await sleep(PAST_SHORT_LEASE_MS);
        const late = await backend.completeActivityWithStep(hub, tasks[1]!, message('held', taskCompleted(1)), await nextStep(backend, request), claimNext);
        assert.ok(late.ok && !late.stepCommitted);
        assert.equal(late.fallback, 'failed-attempts');
        assert.equal(late.claimed?.failedAttempts, 1, 'claimed as a claim would, counting the attempt that never committed');
        assert.deepEqual(late.claimed && eventTypes(late.claimed), ['EventRaised', 'TaskCompleted', 'TaskCompleted']);
        assert.deepEqual(await historyOf(backend, hub, 'held'), [0, 1]);
      }));

    it('deliver the result instead while the instance has other activity tasks (a fan-out)', () =>
      withBackend(open, async (backend, hub) => {
        const { request, tasks } = await chain(backend, hub, 'fan', ['A', 'B']);
        const outcome = await backend.completeActivityWithStep(hub, tasks[0]!, message('fan', taskCompleted(0)), await nextStep(backend, request), claimNext);
        assert.deepEqual(outcome, { ok: true, stepCommitted: false, fallback: 'tasks-left' }, 'not claimed either: a task is left');
        assert.deepEqual(await historyOf(backend, hub, 'fan'), [0, 1]);
      }));

    it('deliver the result instead for a step dated after the store clock', () =>
      withBackend(open, async (backend, hub) => {
        const { request: dated, tasks: [task] } = await chain(backend, hub, 'dated');
        const ahead = { ...(await nextStep(backend, dated)), stepAt: (await backend.now()) + 60_000 };
        const refused = await backend.completeActivityWithStep(hub, task!, message('dated', taskCompleted(0)), ahead);
        assert.deepEqual(refused, { ok: true, stepCommitted: false, fallback: 'step-time-off' });
        assert.deepEqual(await historyOf(backend, hub, 'dated'), [0, 1]);
      }));
  });
}
