/**
 * Claims that leave out the histories the claiming worker holds (ClaimOptions.cachedHistories, sticky
 * execution): the history's length always comes, the history only when the worker's copy is not current.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CachedHistory } from '../../../backend/backend.js';
import {
  LONG_LEASE_MS,
  append,
  claimOnly,
  commitOk,
  insertTasks,
  marker,
  message,
  raised,
  replace,
  start,
  stepCommit,
  taskCompleted,
  type OpenBackend,
  withBackend,
} from '../fixtures.js';

const held = (entries: Record<string, CachedHistory>): ReadonlyMap<string, CachedHistory> => new Map(Object.entries(entries));

export function describeCachedHistories(open: OpenBackend): void {
  describe('claims and cached histories', () => {
    it('every claim says how long the history is; it comes without the history only for the execution and length the worker holds', () =>
      withBackend(open, async (backend, hub) => {
        const request = await start(backend, hub, 'held');
        let item = await claimOnly(backend, hub, 'held');
        assert.equal(item.historyLength, 0);
        assert.deepEqual(item.history, []);
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0), marker(1), marker(2)])]));
        const claim = async (cachedHistories: ReadonlyMap<string, CachedHistory>) => {
          const items = await backend.claimOrchestrations(hub, { workerId: 'worker-a', max: 10, leaseMs: LONG_LEASE_MS, cachedHistories });
          assert.equal(items.length, 1);
          return items[0]!;
        };

        await backend.sendMessage(hub, message('held', raised('one')), ['Running']);
        item = await claim(held({ held: { executionId: request.executionId, length: 3 } }));
        assert.equal(item.historyLength, 3);
        assert.equal(item.history, undefined, 'the worker holds it: not read');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('one')]);
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(3)])]));

        await backend.sendMessage(hub, message('held', raised('two')), ['Running']);
        item = await claim(held({ held: { executionId: request.executionId, length: 3 } }));
        assert.equal(item.historyLength, 4);
        assert.deepEqual(item.history, [0, 1, 2, 3].map(marker), 'a shorter copy is not current');
        await commitOk(backend, hub, item, stepCommit(item, 'Running'));

        await backend.sendMessage(hub, message('held', raised('three')), ['Running']);
        item = await claim(held({ held: { executionId: 'another execution', length: 4 }, other: { executionId: request.executionId, length: 4 } }));
        assert.deepEqual(item.history, [0, 1, 2, 3].map(marker), 'a copy of another execution is not current');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [replace([marker(9)])]));

        await backend.sendMessage(hub, message('held', raised('four')), ['Running']);
        item = await claim(held({ held: { executionId: request.executionId, length: 1 } }));
        assert.equal(item.historyLength, 1, 'the length follows a replaced history');
        assert.equal(item.history, undefined);
        // The commit numbers its events after the history the claim did not read.
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(10)])]));
        assert.deepEqual((await backend.getHistory(hub, 'held')).map((record) => record.sequence), [0, 1]);
      }));

    it('the step an activity result claims comes without the history its worker holds', () =>
      withBackend(open, async (backend, hub) => {
        const request = await start(backend, hub, 'chain');
        const first = await claimOnly(backend, hub, 'chain');
        const lease = { workerId: 'worker-a', max: 1, leaseMs: LONG_LEASE_MS };
        const [task] = await commitOk(backend, hub, first, stepCommit(first, 'Running', [append([marker(0), marker(1)]), insertTasks([{ taskId: 0, name: 'A' }], lease)]));
        assert.ok(task);
        const claimNext = { workerId: 'worker-a', leaseMs: LONG_LEASE_MS, cachedHistories: held({ chain: { executionId: request.executionId, length: 2 } }) };
        const outcome = await backend.completeActivity(hub, task, message('chain', taskCompleted(0, '"a"')), claimNext);
        assert.ok(outcome.ok && outcome.claimed);
        assert.equal(outcome.claimed.historyLength, 2);
        assert.equal(outcome.claimed.history, undefined);
        assert.deepEqual(outcome.claimed.messages.map((m) => m.event), [taskCompleted(0, '"a"')]);
        const [next] = await commitOk(backend, hub, outcome.claimed, stepCommit(outcome.claimed, 'Running', [append([marker(2)]), insertTasks([{ taskId: 1, name: 'B' }], lease)]));
        assert.ok(next);
        const stale = { ...claimNext, cachedHistories: held({ chain: { executionId: request.executionId, length: 2 } }) };
        const again = await backend.completeActivity(hub, next, message('chain', taskCompleted(1)), stale);
        assert.ok(again.ok && again.claimed);
        assert.equal(again.claimed.historyLength, 3);
        assert.deepEqual(again.claimed.history, [0, 1, 2].map(marker));
      }));
  });
}
