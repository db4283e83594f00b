/** purgeInstance, purgeInstances and deleteHub. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../../backend/backend.js';
import type { RuntimeStatus } from '../../../core/history.js';
import {
  LONG_LEASE_MS,
  append,
  claimAll,
  claimOnly,
  clockPast,
  commitOk,
  deliver,
  eventTypes,
  fullCounts,
  insertTasks,
  marker,
  message,
  raised,
  start,
  startAllIn,
  startIn,
  stepCommit,
  timerFired,
  type OpenBackend,
  withBackend,
} from '../fixtures.js';

/** An instance that finished with data left in every table: history, a future message, an activity task. */
async function finishWithLeftovers(backend: Backend, hub: string, instanceId: string, status: RuntimeStatus): Promise<void> {
  await start(backend, hub, instanceId, { input: '"in"' });
  const item = await claimOnly(backend, hub, instanceId);
  await commitOk(backend, hub, item, stepCommit(item, status, [
    append([marker(0), marker(1)]),
    insertTasks([{ taskId: 0, name: 'Leftover' }]),
    deliver(message(instanceId, timerFired(1), { visibleAt: (await backend.now()) + LONG_LEASE_MS })),
  ]));
}

async function remainingIds(backend: Backend, hub: string): Promise<string[]> {
  const page = await backend.listInstances(hub, { pageSize: 1000, includeInput: false });
  return page.instances.map((record) => record.instanceId).sort();
}

export function describePurge(open: OpenBackend): void {
  describe('purgeInstance', () => {
    it('answers not-found for an unknown instance', () =>
      withBackend(open, async (backend, hub) => {
        assert.deepEqual(await backend.purgeInstance(hub, 'nobody'), { purged: false, reason: 'not-found' });
      }));

    for (const status of ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'] as RuntimeStatus[]) {
      it(`refuses a ${status} instance and changes nothing`, () =>
        withBackend(open, async (backend, hub) => {
          await startIn(backend, hub, 'busy', status);
          const before = await backend.getInstance(hub, 'busy');
          assert.deepEqual(await backend.purgeInstance(hub, 'busy'), { purged: false, reason: 'not-finished', status });
          assert.deepEqual(await backend.getInstance(hub, 'busy'), before);
        }));
    }

    for (const status of ['Completed', 'Failed', 'Terminated'] as RuntimeStatus[]) {
      it(`deletes a ${status} instance from every table`, () =>
        withBackend(open, async (backend, hub) => {
          await finishWithLeftovers(backend, hub, 'old', status);
          await startIn(backend, hub, 'bystander', 'Running');
          assert.deepEqual(await backend.purgeInstance(hub, 'old'), { purged: true });

          assert.equal(await backend.getInstance(hub, 'old'), undefined);
          assert.deepEqual(await backend.getHistory(hub, 'old'), []);
          assert.equal(await backend.nextWakeAt(hub), undefined, 'its future message is gone');
          assert.deepEqual(await backend.claimActivities(hub, { workerId: 'w', max: 10, leaseMs: LONG_LEASE_MS }), [], 'its task is gone');
          assert.deepEqual(await backend.purgeInstance(hub, 'old'), { purged: false, reason: 'not-found' });
          await start(backend, hub, 'old');
          assert.deepEqual(eventTypes(await claimOnly(backend, hub, 'old')), ['ExecutionStarted'], 'a new instance with the id starts clean');
          assert.equal((await backend.getInstance(hub, 'bystander'))?.status, 'Running');
        }));
    }
  });

  describe('purgeInstances', () => {
    const population: Record<string, RuntimeStatus> = {
      c1: 'Completed', c2: 'Completed', c3: 'Completed', c4: 'Completed', c5: 'Completed',
      f1: 'Failed', f2: 'Failed', t1: 'Terminated',
      r1: 'Running', s1: 'Suspended', n1: 'ContinuedAsNew', p1: 'Pending',
    };
    const unfinished = ['n1', 'p1', 'r1', 's1'];

    it('deletes only finished instances matching the statuses, in batches, and counts them', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, population);
        assert.equal(await backend.purgeInstances(hub, { statuses: ['Completed', 'Running'] }, 2), 5, 'unfinished statuses are ignored');
        assert.deepEqual(await remainingIds(backend, hub), ['f1', 'f2', 'n1', 'p1', 'r1', 's1', 't1']);
        assert.equal(await backend.purgeInstances(hub, { statuses: ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'] }, 2), 0);
        assert.equal(await backend.purgeInstances(hub, {}, 3), 3, 'no statuses: every finished instance');
        assert.deepEqual(await remainingIds(backend, hub), unfinished);
        assert.equal(await backend.purgeInstances(hub, {}, 3), 0);
      }));

    it('deletes every table\'s rows of the purged instances, across batch boundaries', () =>
      withBackend(open, async (backend, hub) => {
        for (const id of ['a', 'b', 'c', 'd']) await finishWithLeftovers(backend, hub, id, 'Completed');
        assert.equal(await backend.purgeInstances(hub, { statuses: ['Completed'] }, 2), 4);
        assert.equal(await backend.nextWakeAt(hub), undefined);
        assert.deepEqual(await backend.claimActivities(hub, { workerId: 'w', max: 10, leaseMs: LONG_LEASE_MS }), []);
        for (const id of ['a', 'b', 'c', 'd']) assert.deepEqual(await backend.getHistory(hub, id), []);
        assert.deepEqual(fullCounts(await backend.countInstances(hub, {})), fullCounts({}));
      }));

    it('honours the created-time range, name and id prefix', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, { early1: 'Completed', early2: 'Failed', earlyRunning: 'Running' });
        const cut = await clockPast(backend, await backend.now());
        await startAllIn(backend, hub, { late1: 'Completed', late2: 'Terminated' });
        assert.equal(await backend.purgeInstances(hub, { createdTo: cut - 1 }, 10), 2);
        assert.deepEqual(await remainingIds(backend, hub), ['earlyRunning', 'late1', 'late2']);
        assert.equal(await backend.purgeInstances(hub, { createdFrom: cut, instanceIdPrefix: 'late2' }, 10), 1);
        assert.equal(await backend.purgeInstances(hub, { name: 'Someone else' }, 10), 0);
        assert.deepEqual(await remainingIds(backend, hub), ['earlyRunning', 'late1']);
      }));
  });

  describe('deleteHub', () => {
    it('removes exactly that hub\'s data', () =>
      withBackend(open, async (backend, hub) => {
        // A hub name with LIKE wildcards, among names a LIKE or a prefix match would confuse with it.
        const victim = `${hub}_%`;
        const neighbours = [hub, `${hub}-%`, `${hub}_%x`, `${hub}X%`];
        try {
          for (const target of [victim, ...neighbours]) {
            await finishWithLeftovers(backend, target, 'done', 'Completed');
            await startIn(backend, target, 'running', 'Running');
            await backend.sendMessage(target, message('running', raised('waiting')), ['Running']);
          }
          assert.equal(await backend.deleteHub(victim), true, 'the hub had data');
          assert.deepEqual(await remainingIds(backend, victim), []);
          assert.equal(await backend.deleteHub(victim), false, 'nothing is left to delete');
          assert.equal(await backend.deleteHub(`${hub}-never-used`), false);
          assert.deepEqual(fullCounts(await backend.countInstances(victim, {})), fullCounts({}));
          assert.deepEqual(await claimAll(backend, victim), []);
          assert.deepEqual(await backend.claimActivities(victim, { workerId: 'w', max: 10, leaseMs: LONG_LEASE_MS }), []);
          assert.equal(await backend.nextWakeAt(victim), undefined);
          assert.deepEqual(await backend.getHistory(victim, 'done'), []);

          for (const neighbour of neighbours) {
            assert.deepEqual(await remainingIds(backend, neighbour), ['done', 'running']);
            assert.equal((await backend.getHistory(neighbour, 'done')).length, 2);
            assert.deepEqual(eventTypes(await claimOnly(backend, neighbour, 'running')), ['EventRaised']);
            assert.equal((await backend.claimActivities(neighbour, { workerId: 'w', max: 10, leaseMs: LONG_LEASE_MS })).length, 1);
            assert.notEqual(await backend.nextWakeAt(neighbour), undefined);
          }
        } finally {
          for (const other of [victim, ...neighbours]) await backend.deleteHub(other);
        }
      }));
  });
}
