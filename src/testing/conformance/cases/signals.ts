/** subscribe (work signals), nextWakeAt, and the time until timed work that an empty claim answers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, Claimed, WorkSignal } from '../../../backend/backend.js';
import {
  LONG_LEASE_MS,
  claimOnly,
  commitOk,
  deliver,
  insertTasks,
  message,
  raised,
  sleep,
  start,
  stepCommit,
  taskCompleted,
  timerFired,
  type OpenBackend,
  withBackend,
  withBackends,
} from '../fixtures.js';

/** How long to wait for a signal before failing: a bound against hanging, not a speed requirement. */
const SIGNAL_TIMEOUT_MS = 5000;
/** How long to listen for a signal that must not come. */
const QUIET_MS = 200;

interface Recorder {
  signals: WorkSignal[];
  waitFor(expected: WorkSignal): Promise<void>;
  stop(): void;
}

function record(backend: Backend, hub: string): Recorder {
  const signals: WorkSignal[] = [];
  const stop = backend.subscribe(hub, (signal) => signals.push(signal));
  return {
    signals,
    stop,
    async waitFor(expected) {
      const deadline = Date.now() + SIGNAL_TIMEOUT_MS;
      while (!signals.some((signal) => JSON.stringify(signal) === JSON.stringify(expected))) {
        assert.ok(Date.now() < deadline, `no ${JSON.stringify(expected)} signal within ${SIGNAL_TIMEOUT_MS} ms; got ${JSON.stringify(signals)}`);
        await sleep(5);
      }
      signals.length = 0;
    },
  };
}

export function describeSignals(open: OpenBackend): void {
  describe('subscribe', () => {
    it('signals new orchestration work, activity work and finished instances, to subscribers on other backend objects too', () =>
      withBackends(open, 2, async ([client, worker], hub) => {
        const onClient = record(client!, hub);
        const onWorker = record(worker!, hub);
        await start(client!, hub, 'signalled');
        await onWorker.waitFor({ kind: 'orchestration' });
        await onClient.waitFor({ kind: 'orchestration' });

        let item = await claimOnly(worker!, hub, 'signalled');
        await commitOk(worker!, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'Work' }])]));
        await onWorker.waitFor({ kind: 'activity' });

        const [task] = await worker!.claimActivities(hub, { workerId: 'w', max: 1, leaseMs: LONG_LEASE_MS });
        assert.ok(task);
        await worker!.completeActivity(hub, task, message('signalled', taskCompleted(0)));
        await onClient.waitFor({ kind: 'orchestration' });

        item = await claimOnly(worker!, hub, 'signalled');
        await commitOk(worker!, hub, item, stepCommit(item, 'Completed'));
        await onClient.waitFor({ kind: 'finished', instanceId: 'signalled' });

        await client!.sendMessage(hub, message('signalled', raised('late')), ['Completed']);
        await onWorker.waitFor({ kind: 'orchestration' });
        onClient.stop();
        onWorker.stop();
      }));

    it('signals a message that arrived during a step once the step commits', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'busy');
        const item = await claimOnly(backend, hub, 'busy');
        await backend.sendMessage(hub, message('busy', raised('meanwhile')), ['Pending']);
        const recorder = record(backend, hub);
        await commitOk(backend, hub, item, stepCommit(item, 'Running'));
        await recorder.waitFor({ kind: 'orchestration' });
        recorder.stop();
      }));

    it('keeps hubs apart and stops after unsubscribing', () =>
      withBackend(open, async (backend, hub) => {
        const here = record(backend, hub);
        const elsewhere = record(backend, `${hub}-elsewhere`);
        const unsubscribed = record(backend, hub);
        unsubscribed.stop();
        await start(backend, hub, 'one');
        await here.waitFor({ kind: 'orchestration' });
        await sleep(QUIET_MS);
        assert.deepEqual(elsewhere.signals, []);
        assert.deepEqual(unsubscribed.signals, []);
        here.stop();
        elsewhere.stop();
      }));
  });

  describe('nextWakeAt', () => {
    it('is undefined when nothing is due in the future', () =>
      withBackend(open, async (backend, hub) => {
        assert.equal(await backend.nextWakeAt(hub), undefined);
        await start(backend, hub, 'ready');
        assert.equal(await backend.nextWakeAt(hub), undefined, 'a message visible now is work, not a wake-up');
      }));

    it('is the earliest future message visibility, instance lease expiry or task lease expiry', () =>
      withBackend(open, async (backend, hub) => {
        const now = await backend.now();
        await start(backend, hub, 'sleeper');
        const item = await claimOnly(backend, hub, 'sleeper', 4 * LONG_LEASE_MS);
        const instanceLeaseEnd = item.claimedAt + 4 * LONG_LEASE_MS;
        assert.ok(Math.abs((await backend.nextWakeAt(hub))! - instanceLeaseEnd) <= 2, 'the instance lease expiry');

        const timerAt = now + 3 * LONG_LEASE_MS;
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [
          insertTasks([{ taskId: 0, name: 'Slow' }]),
          deliver(message('sleeper', timerFired(1), { visibleAt: timerAt })),
        ]));
        assert.equal(await backend.nextWakeAt(hub), timerAt, 'the timer');

        const claimedBefore = await backend.now();
        await backend.claimActivities(hub, { workerId: 'w', max: 1, leaseMs: 2 * LONG_LEASE_MS });
        const claimedAfter = await backend.now();
        const taskLeaseEnd = (await backend.nextWakeAt(hub))!;
        assert.ok(taskLeaseEnd >= claimedBefore + 2 * LONG_LEASE_MS && taskLeaseEnd <= claimedAfter + 2 * LONG_LEASE_MS, 'the task lease expiry');

        const eventAt = now + LONG_LEASE_MS;
        await backend.sendMessage(hub, message('sleeper', raised('soon'), { visibleAt: eventAt }), ['Running']);
        assert.equal(await backend.nextWakeAt(hub), eventAt, 'the earliest of all');
      }));
  });

  describe('an empty claim', () => {
    const claimNone = (backend: Backend, hub: string) => backend.claimOrchestrations(hub, { workerId: 'idle', max: 5, leaseMs: LONG_LEASE_MS });
    const claimNoTask = (backend: Backend, hub: string) => backend.claimActivities(hub, { workerId: 'idle', max: 5, leaseMs: LONG_LEASE_MS });
    /** The claim made between two readings of the store's clock, with the bounds its answer must lie in for work due at `dueAt`. */
    async function claimedBetween<T>(backend: Backend, claim: () => Promise<Claimed<T>>, dueAt: number): Promise<void> {
      const before = await backend.now();
      const claimed = await claim();
      const after = await backend.now();
      assert.deepEqual([...claimed], [], 'nothing is claimable yet');
      const answer = claimed.msUntilTimedWork;
      assert.ok(answer !== undefined && answer >= dueAt - after && answer <= dueAt - before, `${answer} ms is not the time from the claim to ${dueAt - before} ms after the clock before it`);
    }
    /** The same for work due `delay` after a write made no earlier than `earliestDueAt - delay`: at most `delay` away, at least the time to it from after the claim. */
    async function claimedAround<T>(backend: Backend, claim: () => Promise<Claimed<T>>, earliestDueAt: number, delay: number): Promise<void> {
      const claimed = await claim();
      const after = await backend.now();
      assert.deepEqual([...claimed], [], 'nothing is claimable yet');
      const answer = claimed.msUntilTimedWork;
      assert.ok(answer !== undefined && answer >= earliestDueAt - after && answer <= delay, `${answer} ms is not between ${earliestDueAt - after} and ${delay} ms`);
    }

    it('answers no time when nothing is timed', () =>
      withBackend(open, async (backend, hub) => {
        for (const claimed of [await claimNone(backend, hub), await claimNoTask(backend, hub)]) {
          assert.deepEqual([...claimed], []);
          assert.equal(claimed.msUntilTimedWork, undefined);
        }
        await start(backend, hub, 'done');
        const item = await claimOnly(backend, hub, 'done');
        await commitOk(backend, hub, item, stepCommit(item, 'Completed', []));
        assert.equal((await claimNone(backend, hub)).msUntilTimedWork, undefined, 'a committed step leaves no lease behind');
      }));

    it('answers the time until a timer becomes visible, and activity claims do not count it', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'sleeper');
        const item = await claimOnly(backend, hub, 'sleeper');
        const timerAt = (await backend.now()) + 3 * LONG_LEASE_MS;
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [deliver(message('sleeper', timerFired(1), { visibleAt: timerAt }))]));
        await claimedBetween(backend, () => claimNone(backend, hub), timerAt);
        assert.equal((await claimNoTask(backend, hub)).msUntilTimedWork, undefined, 'a timer is no activity work');
      }));

    it("answers the time until an abandoned step's not-before time", () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'retried');
        const item = await claimOnly(backend, hub, 'retried');
        const before = await backend.now();
        await backend.abandonOrchestration(hub, item, 2 * LONG_LEASE_MS);
        // The not-before time is the abandon's clock plus the delay; the answer is measured from the claim's clock.
        await claimedAround(backend, () => claimNone(backend, hub), before + 2 * LONG_LEASE_MS, 2 * LONG_LEASE_MS);
      }));

    it("answers the time until an instance's or a task's lease runs out, each to its own kind", () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'worker');
        const item = await claimOnly(backend, hub, 'worker', 4 * LONG_LEASE_MS);
        await claimedBetween(backend, () => claimNone(backend, hub), item.claimedAt + 4 * LONG_LEASE_MS);
        assert.equal((await claimNoTask(backend, hub)).msUntilTimedWork, undefined, 'no task is leased');

        await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'Slow' }])]));
        const before = await backend.now();
        const [task] = await backend.claimActivities(hub, { workerId: 'w', max: 1, leaseMs: 2 * LONG_LEASE_MS });
        assert.ok(task);
        await claimedAround(backend, () => claimNoTask(backend, hub), before + 2 * LONG_LEASE_MS, 2 * LONG_LEASE_MS);
        assert.equal((await claimNone(backend, hub)).msUntilTimedWork, undefined, "a task's lease is no orchestration work");
      }));
  });
}
