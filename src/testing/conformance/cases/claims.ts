/** claimOrchestrations, leases, fencing and abandonOrchestration. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LONG_LEASE_MS,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  append,
  claimAll,
  claimConcurrently,
  claimOnly,
  commitOk,
  deliver,
  eventTypes,
  insertTasks,
  marker,
  message,
  raised,
  replace,
  sleep,
  start,
  stepCommit,
  taskCompleted,
  terminated,
  timerFired,
  type OpenBackend,
  withBackend,
  withBackends,
} from '../fixtures.js';

export function describeClaims(open: OpenBackend): void {
  describe('claimOrchestrations', () => {
    it('returns the instance, its history, its visible messages in arrival order, a lock token and the claim time', () =>
      withBackend(open, async (backend, hub) => {
        const request = await start(backend, hub, 'work', { input: '"in"' });
        let item = await claimOnly(backend, hub, 'work');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0), marker(1)])]));
        await backend.sendMessage(hub, message('work', raised('first'), { executionId: request.executionId }), ['Running']);
        await backend.sendMessage(hub, message('work', raised('second')), ['Running']);
        await backend.sendMessage(hub, message('work', timerFired(3)), ['Running']);

        const before = await backend.now();
        item = await claimOnly(backend, hub, 'work', LONG_LEASE_MS, 'worker-b');
        const after = await backend.now();
        assert.equal(item.instance.instanceId, 'work');
        assert.equal(item.instance.status, 'Running');
        assert.equal(item.instance.input, '"in"', 'the claimed instance carries its input');
        assert.deepEqual(item.history, [marker(0), marker(1)]);
        assert.deepEqual(item.messages.map((m) => m.event), [raised('first'), raised('second'), timerFired(3)]);
        assert.equal(item.messages[0]?.executionId, request.executionId);
        assert.equal(item.messages[1]?.executionId, undefined);
        assert.equal(new Set(item.messages.map((m) => m.id)).size, 3, 'message ids are distinct');
        assert.equal(typeof item.lockToken, 'string');
        assert.ok(item.lockToken.length > 0);
        assert.ok(item.claimedAt >= before && item.claimedAt <= after);
      }));

    it('never hands out a leased instance again, and respects max', () =>
      withBackend(open, async (backend, hub) => {
        for (const id of ['a', 'b', 'c']) await start(backend, hub, id);
        const first = await backend.claimOrchestrations(hub, { workerId: 'w1', max: 2, leaseMs: LONG_LEASE_MS });
        assert.equal(first.length, 2);
        const second = await backend.claimOrchestrations(hub, { workerId: 'w2', max: 2, leaseMs: LONG_LEASE_MS });
        assert.equal(second.length, 1);
        assert.deepEqual(await backend.claimOrchestrations(hub, { workerId: 'w3', max: 2, leaseMs: LONG_LEASE_MS }), []);
        const ids = [...first, ...second].map((item) => item.instance.instanceId).sort();
        assert.deepEqual(ids, ['a', 'b', 'c']);
        // A message arriving for a leased instance does not make it claimable.
        await backend.sendMessage(hub, message('a', raised('x')), ['Pending']);
        assert.deepEqual(await claimAll(backend, hub), []);
      }));

    it('hands each instance to one of several workers claiming at the same time', () =>
      withBackends(open, 3, async (backends, hub) => {
        const ids = Array.from({ length: 30 }, (_, i) => `concurrent-${i}`);
        for (const id of ids) await start(backends[0]!, hub, id);
        const claimed = await claimConcurrently(3, ids.length, async (index) =>
          (await backends[index]!.claimOrchestrations(hub, { workerId: `w${index}`, max: 4, leaseMs: LONG_LEASE_MS }))
            .map((item) => item.instance.instanceId));
        assert.deepEqual([...claimed].sort(), [...ids].sort());
      }));

    it('does not claim a message before its visibleAt, and leaves it out of the claimed messages', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'timer');
        let item = await claimOnly(backend, hub, 'timer');
        const fireAt = (await backend.now()) + LONG_LEASE_MS;
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [deliver(message('timer', timerFired(1), { visibleAt: fireAt }))]));
        assert.deepEqual(await claimAll(backend, hub), [], 'a timer in the future is not work yet');

        const past = (await backend.now()) - 1;
        await backend.sendMessage(hub, message('timer', raised('now'), { visibleAt: past }), ['Running']);
        item = await claimOnly(backend, hub, 'timer');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('now')]);
      }));

    it('claims a Pending instance only for its start or a termination; other events wait', () =>
      withBackend(open, async (backend, hub) => {
        const startAt = (await backend.now()) + LONG_LEASE_MS;
        await start(backend, hub, 'scheduled', { scheduledStartAt: startAt });
        await backend.sendMessage(hub, message('scheduled', raised('early')), ['Pending']);
        assert.deepEqual(await claimAll(backend, hub), [], 'an event alone does not start a Pending instance');

        await backend.sendMessage(hub, message('scheduled', terminated('stop')), ['Pending']);
        const item = await claimOnly(backend, hub, 'scheduled');
        assert.deepEqual(eventTypes(item), ['EventRaised', 'ExecutionTerminated'], 'every visible message, not the future start');
      }));

    it('lets another worker claim an instance once its lease has expired', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'crashed');
        const first = await claimOnly(backend, hub, 'crashed', SHORT_LEASE_MS, 'worker-a');
        await sleep(PAST_SHORT_LEASE_MS);
        const second = await claimOnly(backend, hub, 'crashed', LONG_LEASE_MS, 'worker-b');
        assert.notEqual(second.lockToken, first.lockToken);
        assert.deepEqual(second.messages, first.messages);
      }));
  });

  describe('commitOrchestration fencing', () => {
    it('rejects a commit after the lease expired, and changes nothing', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'slow', { input: '"x"' });
        const item = await claimOnly(backend, hub, 'slow', SHORT_LEASE_MS);
        await sleep(PAST_SHORT_LEASE_MS);
        const before = await backend.getInstance(hub, 'slow');
        const outcome = await backend.commitOrchestration(hub, item, stepCommit(item, 'Completed', [
          append([marker(0)]),
          insertTasks([{ taskId: 0, name: 'Never' }]),
          deliver(message('slow', raised('never'))),
        ], { status: 'Completed', output: '"out"' }));
        assert.deepEqual(outcome, { ok: false, reason: 'lease-lost' });
        assert.deepEqual(await backend.getInstance(hub, 'slow'), before);
        assert.deepEqual(await backend.getHistory(hub, 'slow'), []);
        assert.deepEqual(await backend.claimActivities(hub, { workerId: 'w', max: 10, leaseMs: LONG_LEASE_MS }), []);
        const again = await claimOnly(backend, hub, 'slow');
        assert.deepEqual(again.messages, item.messages, 'the messages were not consumed');
      }));

    it('rejects a late commit that rewrites the history (rewind, continue-as-new), and keeps the history', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'rewriting');
        let item = await claimOnly(backend, hub, 'rewriting');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0), marker(1)])]));
        await backend.sendMessage(hub, message('rewriting', raised('go')), ['Running']);
        item = await claimOnly(backend, hub, 'rewriting', SHORT_LEASE_MS);
        await sleep(PAST_SHORT_LEASE_MS);
        const outcome = await backend.commitOrchestration(hub, item, stepCommit(item, 'Running', [replace([marker(7)]), { op: 'requeueMessages' }], { status: 'Running', executionId: 'next-execution' }));
        assert.deepEqual(outcome, { ok: false, reason: 'lease-lost' });
        assert.deepEqual(await backend.getHistory(hub, 'rewriting'), [
          { sequence: 0, event: marker(0) },
          { sequence: 1, event: marker(1) },
        ]);
        assert.equal((await backend.getInstance(hub, 'rewriting'))?.executionId, item.instance.executionId);
      }));

    it('rejects the late commit of a worker whose instance another worker claimed since', () =>
      withBackends(open, 2, async ([a, b], hub) => {
        await start(a!, hub, 'contested');
        const stale = await claimOnly(a!, hub, 'contested', SHORT_LEASE_MS, 'worker-a');
        await sleep(PAST_SHORT_LEASE_MS);
        const fresh = await claimOnly(b!, hub, 'contested', LONG_LEASE_MS, 'worker-b');

        assert.deepEqual(await a!.commitOrchestration(hub, stale, stepCommit(stale, 'Completed', [append([marker(99)])])), {
          ok: false,
          reason: 'lease-lost',
        });
        await a!.abandonOrchestration(hub, stale, 0);
        assert.deepEqual(await claimAll(a!, hub), [], 'a stale abandon does not release the new lease');

        await commitOk(b!, hub, fresh, stepCommit(fresh, 'Running', [append([marker(1)])]));
        assert.deepEqual(await b!.getHistory(hub, 'contested'), [{ sequence: 0, event: marker(1) }]);
        assert.equal((await b!.getInstance(hub, 'contested'))?.status, 'Running');
      }));

    it('accepts one commit per claim: the commit releases the lease', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'once');
        const item = await claimOnly(backend, hub, 'once');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0)])]));
        assert.deepEqual(await backend.commitOrchestration(hub, item, stepCommit(item, 'Running', [append([marker(1)])])), {
          ok: false,
          reason: 'lease-lost',
        });
        assert.deepEqual(await backend.getHistory(hub, 'once'), [{ sequence: 0, event: marker(0) }]);
      }));

    it('rejects a commit for an instance that no longer exists', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'vanishing');
        let item = await claimOnly(backend, hub, 'vanishing');
        await commitOk(backend, hub, item, stepCommit(item, 'Completed'));
        await backend.sendMessage(hub, message('vanishing', raised('late')), ['Completed']);
        item = await claimOnly(backend, hub, 'vanishing');
        assert.deepEqual(await backend.purgeInstance(hub, 'vanishing'), { purged: true });
        assert.deepEqual(await backend.commitOrchestration(hub, item, stepCommit(item, 'Completed')), { ok: false, reason: 'lease-lost' });
        assert.equal(await backend.getInstance(hub, 'vanishing'), undefined);
      }));
  });

  describe('abandonOrchestration', () => {
    it('releases the lease at once with no delay', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'retry');
        const item = await claimOnly(backend, hub, 'retry');
        await backend.abandonOrchestration(hub, item, 0);
        const again = await claimOnly(backend, hub, 'retry');
        assert.deepEqual(again.messages, item.messages);
        assert.equal((await backend.getInstance(hub, 'retry'))?.status, 'Pending', 'nothing else changed');
      }));

    it('makes the instance claimable again only after retryAfterMs', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'later');
        const item = await claimOnly(backend, hub, 'later');
        const before = await backend.now();
        await backend.abandonOrchestration(hub, item, LONG_LEASE_MS);
        const after = await backend.now();
        assert.deepEqual(await claimAll(backend, hub), []);
        const wake = await backend.nextWakeAt(hub);
        assert.ok(wake !== undefined && wake >= before + LONG_LEASE_MS && wake <= after + LONG_LEASE_MS);

        await start(backend, hub, 'soon');
        const soon = await claimOnly(backend, hub, 'soon');
        await backend.abandonOrchestration(hub, soon, SHORT_LEASE_MS);
        await sleep(PAST_SHORT_LEASE_MS);
        await claimOnly(backend, hub, 'soon');
      }));
  });

  describe('failedAttempts (T18)', () => {
    it('counts claims of a step that ended without a commit: an expired lease or a failed abandon; a commit resets it', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'poison');
        const first = await claimOnly(backend, hub, 'poison', SHORT_LEASE_MS);
        assert.equal(first.failedAttempts, 0);
        await sleep(PAST_SHORT_LEASE_MS);
        const second = await claimOnly(backend, hub, 'poison');
        assert.equal(second.failedAttempts, 1, 'the first lease ran out');
        await backend.abandonOrchestration(hub, second, 0, true);
        const third = await claimOnly(backend, hub, 'poison');
        assert.equal(third.failedAttempts, 2, 'a failed abandon counts');
        await backend.abandonOrchestration(hub, third, 0);
        const fourth = await claimOnly(backend, hub, 'poison');
        assert.equal(fourth.failedAttempts, 2, 'an abandon for later does not');
        await commitOk(backend, hub, fourth, stepCommit(fourth, 'Running'));
        await backend.sendMessage(hub, message('poison', raised('next')), ['Running']);
        assert.equal((await claimOnly(backend, hub, 'poison')).failedAttempts, 0, 'the commit reset it');
      }));

    it('is counted by a claim in an activity completion too', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'handed');
        const item = await claimOnly(backend, hub, 'handed');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'work' }])]));
        const [task] = await backend.claimActivities(hub, { workerId: 'w', max: 1, leaseMs: LONG_LEASE_MS });
        assert.ok(task);
        // An event makes the instance claimable; its claim's lease runs out; the completion claims it again.
        await backend.sendMessage(hub, message('handed', raised('ping')), ['Running']);
        await claimOnly(backend, hub, 'handed', SHORT_LEASE_MS);
        await sleep(PAST_SHORT_LEASE_MS);
        const outcome = await backend.completeActivity(hub, task, message('handed', taskCompleted(0)), { workerId: 'w', leaseMs: LONG_LEASE_MS });
        assert.ok(outcome.ok && outcome.claimed);
        assert.equal(outcome.claimed.failedAttempts, 1);
      }));
  });
}
