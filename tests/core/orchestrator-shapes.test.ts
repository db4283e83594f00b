/**
 * Orchestrator code that is not a generator of taskhub tasks fails its instance with a clear message instead
 * of spinning or crashing the process; and the engine tells the runtime the time the code sees, step by step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeOrchestrationStep } from '../../src/core/executor.js';
import type { OrchestratorFunction } from '../../src/core/context.js';
import { Scenario, T0, outputOf } from './harness.js';

function failureOf(orchestrator: OrchestratorFunction): { errorType: string; errorMessage: string } {
  const s = new Scenario({ Shape: orchestrator });
  const result = s.start('Shape');
  assert.equal(result.status, 'Failed', JSON.stringify(result.output));
  return result.failureDetails!;
}

test('an async generator orchestrator (async function*) fails at once with a clear message', () => {
  let resumed = 0;
  const failure = failureOf(async function* (context) {
    resumed++;
    yield context.callActivity('A');
  });
  assert.equal(failure.errorType, 'InvalidArgumentError');
  assert.match(failure.errorMessage, /^orchestrator 'Shape' is an async generator function \(async function\*\): orchestrators are generator functions \(function\*, not async\)/);
  assert.equal(resumed, 0, 'the async generator is not driven');
});

test("an object whose next() gives something other than an iterator result fails instead of being driven", () => {
  const failure = failureOf(() => ({ next: () => 42, throw: () => 42, return: () => 42 }) as never);
  assert.equal(failure.errorType, 'InvalidArgumentError');
  assert.match(failure.errorMessage, /is not a generator of taskhub tasks \(its next\(\) gave a number\)/);
});

test('a plain async orchestrator is refused, and its rejected Promise is not left unobserved', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const failure = failureOf(async () => {
      throw new Error('boom');
    });
    assert.match(failure.errorMessage, /returned a Promise: orchestrators are generator functions/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a yielded Promise is refused by name, and its rejection is not left unobserved', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const failure = failureOf(function* () {
      yield Promise.reject(new Error('never awaited')) as never;
    });
    assert.match(failure.errorMessage, /yielded a Promise \(orchestrator code cannot await: call an activity\): yield only tasks/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('code that catches a refused yield and yields a non-task again fails instead of looping for ever', () => {
  let refusals = 0;
  const failure = failureOf(function* () {
    for (;;) {
      try {
        yield 'not a task' as never;
      } catch {
        refusals++;
      }
    }
  });
  assert.equal(refusals, 1, 'the first refusal reaches the code, the second ends it');
  assert.match(failure.errorMessage, /yielded a string: yield only tasks/);
});

test('after a refused yield, code that goes on to yield tasks runs normally', () => {
  const s = new Scenario({
    *Recovers(context) {
      try {
        yield 7 as never;
      } catch {
        // Refused once; carry on with a real task.
      }
      return yield* context.callActivity<string>('Echo', 'ok');
    },
  });
  s.start('Recovers');
  assert.equal(s.drive({ Echo: (x: string) => x }).status, 'Completed');
  assert.equal(outputOf(s.last), 'ok');
});

test("the engine tells the runtime the code's time: each replayed step's, then the new step's", () => {
  const s = new Scenario({
    *Twice(context) {
      yield context.callActivity('Echo', 1);
      yield context.callActivity('Echo', 2);
      return 'done';
    },
  });
  s.start('Twice');
  s.drive({ Echo: (x: number) => x });
  const stepTimes = s.history.filter((event) => event.type === 'OrchestratorStarted').map((event) => event.timestamp);
  assert.equal(stepTimes.length, 3);
  const seen: string[] = [];
  const newStep = new Date(T0 + 3_600_000).toISOString();
  executeOrchestrationStep({
    instanceId: s.instanceId,
    pastEvents: s.history.slice(0, s.history.findLastIndex((event) => event.type === 'OrchestratorStarted')),
    newEvents: [s.history.find((event) => event.type === 'TaskCompleted' && event.taskScheduledId === 1)!] as never,
    now: newStep,
    resolveOrchestrator: (name) => s.orchestrators[name],
    maxPayloadBytes: 65_536,
    onCodeTime: (time) => seen.push(time),
  });
  assert.deepEqual(seen, [stepTimes[0], stepTimes[1], newStep]);
});
