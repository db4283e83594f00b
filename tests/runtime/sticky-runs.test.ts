/** The worker's cache of live runs (sticky execution): bounded, least recently used dropped first, off at 0. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OrchestrationRun } from '../../src/core/orchestration-run.js';
import { StickyRuns, type StickyRun } from '../../src/runtime/sticky-runs.js';

function held(instanceId: string, length: number): StickyRun {
  const instance = { instanceId, executionId: 'e', name: 'O', status: 'Running' as const, createdAt: 0, lastUpdatedAt: 0 };
  const run = new OrchestrationRun({ instanceId, resolveOrchestrator: () => undefined, maxPayloadBytes: 1024 });
  return { run, executionId: 'e', length, instance, steppedAt: { storeTime: 0, localTime: 0 } };
}

describe('StickyRuns', () => {
  it('keeps at most its capacity, dropping the least recently kept', () => {
    const runs = new StickyRuns(2);
    runs.keep('a', held('a', 3));
    runs.keep('b', held('b', 3));
    runs.keep('a', held('a', 6));
    runs.keep('c', held('c', 3));
    assert.deepEqual([...runs.histories!.keys()], ['a', 'c'], 'b was the least recently kept');
    assert.equal(runs.histories!.get('a')?.length, 6);
  });

  it('hands a run out once: taken, it is no longer held', () => {
    const runs = new StickyRuns(10);
    runs.keep('a', held('a', 3));
    assert.equal(runs.take('a')?.length, 3);
    assert.equal(runs.take('a'), undefined);
    assert.equal(runs.histories!.size, 0);
  });

  it('at capacity 0 holds nothing and names no histories to a claim', () => {
    const runs = new StickyRuns(0);
    runs.keep('a', held('a', 3));
    assert.equal(runs.take('a'), undefined);
    assert.equal(runs.histories, undefined);
  });
});
