/** claimActivities, completeActivity, renewActivityLease. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../../backend/backend.js';
import {
  FINISHING_OPS,
  LONG_LEASE_MS,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  claimAll,
  claimConcurrently,
  claimOnly,
  commitOk,
  eventTypes,
  insertTasks,
  message,
  raised,
  sleep,
  start,
  stepCommit,
  taskCompleted,
  type OpenBackend,
  withBackend,
  withBackends,
} from '../fixtures.js';

/** Starts `instanceId` and has its first step schedule one task per name. */
async function schedule(backend: Backend, hub: string, instanceId: string, names: string[]): Promise<void> {
  await start(backend, hub, instanceId);
  const item = await claimOnly(backend, hub, instanceId);
  await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks(names.map((name, taskId) => ({ taskId, name, input: JSON.stringify(name) })))]));
}

function claimTasks(backend: Backend, hub: string, max: number, leaseMs = LONG_LEASE_MS, workerId = 'activity-worker') {
  return backend.claimActivities(hub, { workerId, max, leaseMs });
}

export function describeActivities(open: OpenBackend): void {
  describe('activities', () => {
    it('are claimed oldest first, up to max, once while leased, with attempt 1', () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'first', ['a', 'b']);
        await schedule(backend, hub, 'second', ['c']);
        const batch = await claimTasks(backend, hub, 2);
        assert.deepEqual(batch.map((t) => [t.instanceId, t.taskId, t.name, t.input, t.attempt]), [
          ['first', 0, 'a', '"a"', 1],
          ['first', 1, 'b', '"b"', 1],
        ]);
        assert.notEqual(batch[0]!.lockToken, batch[1]!.lockToken);
        const rest = await claimTasks(backend, hub, 10);
        assert.deepEqual(rest.map((t) => t.name), ['c']);
        assert.deepEqual(await claimTasks(backend, hub, 10), []);
      }));

    it('are each claimed by one of several workers claiming at the same time', () =>
      withBackends(open, 3, async (backends, hub) => {
        const names = Array.from({ length: 24 }, (_, i) => `t${i}`);
        await schedule(backends[0]!, hub, 'fan', names);
        const claimed = await claimConcurrently(3, names.length, async (index) =>
          (await claimTasks(backends[index]!, hub, 3, LONG_LEASE_MS, `w${index}`)).map((task) => task.name));
        assert.deepEqual([...claimed].sort(), [...names].sort());
      }));

    it('are claimed again with a higher attempt once the lease expires; the old lease can no longer complete or renew', () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'flaky', ['work']);
        const [first] = await claimTasks(backend, hub, 1, SHORT_LEASE_MS, 'worker-a');
        assert.ok(first);
        await sleep(PAST_SHORT_LEASE_MS);
        const [second] = await claimTasks(backend, hub, 1, LONG_LEASE_MS, 'worker-b');
        assert.ok(second);
        assert.equal(second.id, first.id);
        assert.equal(second.attempt, 2);
        assert.notEqual(second.lockToken, first.lockToken);

        assert.equal(await backend.renewActivityLease(hub, first, LONG_LEASE_MS), false);
        assert.deepEqual(await backend.completeActivity(hub, first, message('flaky', taskCompleted(0, '"stale"'))), { ok: false, reason: 'lease-lost' });
        assert.deepEqual(await claimAll(backend, hub), [], 'the stale result was not delivered');

        assert.deepEqual(await backend.completeActivity(hub, second, message('flaky', taskCompleted(0, '"fresh"'))), { ok: true });
        const item = await claimOnly(backend, hub, 'flaky');
        assert.deepEqual(item.messages.map((m) => m.event), [taskCompleted(0, '"fresh"')]);
      }));

    it('cannot be completed after the lease expired, even when nobody claimed it since', () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'late', ['work']);
        const [task] = await claimTasks(backend, hub, 1, SHORT_LEASE_MS);
        assert.ok(task);
        await sleep(PAST_SHORT_LEASE_MS);
        assert.deepEqual(await backend.completeActivity(hub, task, message('late', taskCompleted(0))), { ok: false, reason: 'lease-lost' });
        assert.equal(await backend.renewActivityLease(hub, task, LONG_LEASE_MS), false);
        const [again] = await claimTasks(backend, hub, 1);
        assert.equal(again?.attempt, 2, 'the task is still there, for another attempt');
      }));

    it('complete once: the task is deleted and its result put in the instance inbox', () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'done', ['work']);
        const [task] = await claimTasks(backend, hub, 1, SHORT_LEASE_MS);
        assert.ok(task);
        const result = message('done', taskCompleted(0, '42'), { executionId: task.executionId });
        assert.deepEqual(await backend.completeActivity(hub, task, result), { ok: true });
        assert.deepEqual(await backend.completeActivity(hub, task, result), { ok: false, reason: 'lease-lost' }, 'a second completion is refused');
        await sleep(PAST_SHORT_LEASE_MS);
        assert.deepEqual(await claimTasks(backend, hub, 10), [], 'the task is gone for good');
        const item = await claimOnly(backend, hub, 'done');
        assert.deepEqual(item.messages.map((m) => [m.executionId, m.event]), [[task.executionId, taskCompleted(0, '42')]]);
      }));

    it('keep their lease while it is renewed', () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'long', ['work']);
        const [task] = await claimTasks(backend, hub, 1, 1000);
        assert.ok(task);
        assert.equal(await backend.renewActivityLease(hub, task, LONG_LEASE_MS), true);
        await sleep(1200);
        assert.deepEqual(await claimTasks(backend, hub, 1), [], 'the renewed lease still holds');
        assert.deepEqual(await backend.completeActivity(hub, task, message('long', taskCompleted(0))), { ok: true });
        assert.deepEqual(eventTypes(await claimOnly(backend, hub, 'long')), ['TaskCompleted']);
      }));

    it("may be leased by their step's commit to the committing worker: attempt 1, nobody else claims them, they complete", () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'leasing');
        const item = await claimOnly(backend, hub, 'leasing');
        const leased = await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks(['a', 'b', 'c'].map((name, taskId) => ({ taskId, name, input: JSON.stringify(name) })), { workerId: 'stepper', max: 2, leaseMs: LONG_LEASE_MS })]));
        assert.deepEqual(leased.map((t) => [t.instanceId, t.executionId, t.taskId, t.name, t.input, t.attempt]), [
          ['leasing', item.instance.executionId, 0, 'a', '"a"', 1],
          ['leasing', item.instance.executionId, 1, 'b', '"b"', 1],
        ]);
        assert.notEqual(leased[0]!.lockToken, leased[1]!.lockToken);
        assert.deepEqual((await claimTasks(backend, hub, 10, LONG_LEASE_MS, 'other')).map((t) => t.name), ['c'], 'only the unleased task is claimable');
        assert.equal(await backend.renewActivityLease(hub, leased[1]!, LONG_LEASE_MS), true);
        assert.deepEqual(await backend.completeActivity(hub, leased[0]!, message('leasing', taskCompleted(0, '"A"'))), { ok: true });
        assert.deepEqual(eventTypes(await claimOnly(backend, hub, 'leasing')), ['TaskCompleted']);
      }));

    it('leased by a commit, are claimed again with attempt 2 once that lease expires', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'born-leased');
        const item = await claimOnly(backend, hub, 'born-leased');
        const [leased] = await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'work' }], { workerId: 'stepper', max: 5, leaseMs: SHORT_LEASE_MS })]));
        assert.ok(leased);
        assert.equal(leased.input, undefined);
        assert.deepEqual(await claimTasks(backend, hub, 10), []);
        await sleep(PAST_SHORT_LEASE_MS);
        const [again] = await claimTasks(backend, hub, 10);
        assert.deepEqual([again?.id, again?.attempt], [leased.id, 2]);
        assert.deepEqual(await backend.completeActivity(hub, leased, message('born-leased', taskCompleted(0))), { ok: false, reason: 'lease-lost' });
      }));

    it('are neither created nor leased by a commit whose lease was lost', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'stale');
        const [item] = await claimAll(backend, hub, SHORT_LEASE_MS);
        assert.ok(item);
        await sleep(PAST_SHORT_LEASE_MS);
        const outcome = await backend.commitOrchestration(hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'work' }], { workerId: 'stepper', max: 1, leaseMs: LONG_LEASE_MS })]));
        assert.deepEqual(outcome, { ok: false, reason: 'lease-lost' });
        assert.deepEqual(await claimTasks(backend, hub, 10), []);
      }));

    it("may claim, with their completion, the instance's next step for the completing worker", () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'handed', ['work']);
        const [task] = await claimTasks(backend, hub, 1);
        assert.ok(task);
        const outcome = await backend.completeActivity(hub, task, message('handed', taskCompleted(0, '"done"')), { workerId: 'completer', leaseMs: LONG_LEASE_MS });
        assert.ok(outcome.ok && outcome.claimed);
        const step = outcome.claimed;
        assert.equal(step.instance.instanceId, 'handed');
        assert.equal(step.instance.status, 'Running');
        assert.deepEqual(eventTypes(step), ['TaskCompleted']);
        assert.ok(step.lockToken.length > 0 && step.claimedAt > 0);
        assert.deepEqual(await claimAll(backend, hub), [], 'nobody else can claim it while the completer holds it');
        await commitOk(backend, hub, step, stepCommit(step, 'Completed', FINISHING_OPS));
        assert.equal((await backend.getInstance(hub, 'handed'))?.status, 'Completed');
      }));

    it('claim with their completion neither an instance another worker holds nor anything when their lease was lost', () =>
      withBackend(open, async (backend, hub) => {
        await schedule(backend, hub, 'busy', ['a', 'b']);
        const [first, second] = await claimTasks(backend, hub, 2);
        assert.ok(first && second);
        assert.deepEqual(await backend.completeActivity(hub, first, message('busy', taskCompleted(0))), { ok: true }, 'no claim unless asked');
        const [held] = await claimAll(backend, hub, LONG_LEASE_MS, 'other-worker');
        assert.equal(held?.instance.instanceId, 'busy');
        const claimNext = { workerId: 'completer', leaseMs: LONG_LEASE_MS };
        assert.deepEqual(await backend.completeActivity(hub, second, message('busy', taskCompleted(1)), claimNext), { ok: true });

        await schedule(backend, hub, 'late', ['work']);
        const [stale] = await claimTasks(backend, hub, 1, SHORT_LEASE_MS);
        assert.ok(stale);
        await sleep(PAST_SHORT_LEASE_MS);
        assert.deepEqual(await backend.completeActivity(hub, stale, message('late', taskCompleted(0)), claimNext), { ok: false, reason: 'lease-lost' });
        assert.deepEqual(await claimAll(backend, hub), [], 'nothing was delivered, so nothing became claimable');
      }));

    it('claim with their completion only an instance with no task left: a fan-out is claimed once, by its last result', () =>
      withBackend(open, async (backend, hub) => {
        const claimNext = { workerId: 'completer', leaseMs: LONG_LEASE_MS };
        await schedule(backend, hub, 'fan', ['a', 'b', 'c']);
        const [a, b, c] = await claimTasks(backend, hub, 3);
        assert.ok(a && b && c);
        assert.deepEqual(await backend.completeActivity(hub, a, message('fan', taskCompleted(0)), claimNext), { ok: true }, 'two tasks are left');
        const together = await Promise.all([b, c].map((task) => backend.completeActivity(hub, task, message('fan', taskCompleted(task.taskId)), claimNext)));
        const claimed = together.flatMap((outcome) => (outcome.ok && outcome.claimed ? [outcome.claimed] : []));
        assert.equal(claimed.length, 1, 'the two last results, completing together, claim it once');
        assert.deepEqual(eventTypes(claimed[0]!), ['TaskCompleted', 'TaskCompleted', 'TaskCompleted']);
      }));

    it('deliver nothing when the instance is gone, and stay within their hub', () =>
      withBackend(open, async (backend, hub) => {
        const otherHub = `${hub}-other`;
        try {
          await schedule(backend, hub, 'mine', ['work']);
          assert.deepEqual(await claimTasks(backend, otherHub, 10), []);
          const [task] = await claimTasks(backend, hub, 1);
          assert.ok(task);
          assert.deepEqual(await backend.completeActivity(hub, task, message('elsewhere', raised('result'))), { ok: true });
          assert.deepEqual(await claimAll(backend, hub), [], 'a result for a missing instance is dropped');
        } finally {
          await backend.deleteHub(otherHub);
        }
      }));
  });
}
