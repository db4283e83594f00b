/**
 * The step guard stops orchestrator code that overruns the step time limit, even a synchronous endless
 * loop, gives every item of a guarded run the whole limit, and shows the code the step's time through Date.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StepGuard } from '../../src/runtime/step-guard.js';

const LIMIT_MS = 200;

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy: the event loop is held, as by heavy orchestrator code.
  }
}

describe('StepGuard', () => {
  it('stops an endless loop after the limit and reports that item timed out; the others run', () => {
    const guard = new StepGuard(LIMIT_MS);
    const started = performance.now();
    const outcomes = guard.runEach(['loop', 'fine'], (item) => {
      if (item === 'loop') for (;;) spin(1);
      return item;
    });
    const elapsed = performance.now() - started;
    assert.deepEqual(outcomes, [{ kind: 'timedOut' }, { kind: 'done', value: 'fine' }]);
    assert.ok(elapsed >= LIMIT_MS, `stopped after ${elapsed} ms, not before the limit`);
  });

  it('runs an item again in a fresh run when it overran only because earlier items used part of the limit', () => {
    const guard = new StepGuard(LIMIT_MS);
    const runs: string[] = [];
    const outcomes = guard.runEach(['a', 'b', 'c'], (item) => {
      runs.push(item);
      spin(LIMIT_MS * 0.6);
      return item;
    });
    assert.deepEqual(outcomes.map((outcome) => outcome.kind), ['done', 'done', 'done']);
    assert.deepEqual(outcomes.map((outcome) => (outcome.kind === 'done' ? outcome.value : undefined)), ['a', 'b', 'c']);
    // b overran the run a began and began the next one; c overran that one and was run again too.
    assert.deepEqual(runs, ['a', 'b', 'b', 'c', 'c']);
  });

  it("gives the code the step's time through Date.now(), new Date() and Date(), and only while it runs", () => {
    const guard = new StepGuard(LIMIT_MS);
    const stepTime = '2001-02-03T04:05:06.789Z';
    const [outcome] = guard.runEach([stepTime], (time, setCodeTime) => {
      setCodeTime(time);
      const made = new Date();
      return {
        now: Date.now(),
        made: made.toISOString(),
        isDate: made instanceof Date,
        called: Date(),
        fromValue: new Date(0).toISOString(),
        parsed: Date.parse('1970-01-02T00:00:00Z'),
      };
    });
    assert.ok(outcome?.kind === 'done');
    assert.equal(outcome.value.now, Date.parse(stepTime));
    assert.equal(outcome.value.made, stepTime);
    assert.equal(outcome.value.isDate, true);
    assert.equal(outcome.value.called, new Date(stepTime).toString());
    assert.equal(outcome.value.fromValue, '1970-01-01T00:00:00.000Z');
    assert.equal(outcome.value.parsed, 86_400_000);
    assert.ok(Math.abs(Date.now() - new Date().getTime()) < 1000 && Date.now() > Date.parse('2020-01-01'), 'the real clock is back afterwards');
  });

  it('restores the real Date after an item was stopped, and before any step time is set gives the real time', () => {
    const guard = new StepGuard(LIMIT_MS);
    const realDate = Date;
    guard.runEach([1], (_, setCodeTime) => {
      setCodeTime('2001-01-01T00:00:00.000Z');
      for (;;) spin(1);
    });
    assert.equal(globalThis.Date, realDate);
    const [outcome] = guard.runEach([1], () => Date.now());
    assert.ok(outcome?.kind === 'done' && Math.abs(outcome.value - realDate.now()) < 1000);
  });
});
