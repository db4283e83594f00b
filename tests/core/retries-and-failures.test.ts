import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext, RetryOptions } from '../../src/core/context.js';
import { TaskFailedError, toFailureDetails } from '../../src/core/failure.js';
import { newSubOrchestrationInstanceFailedEvent, newTaskCompletedEvent, newTaskFailedEvent, newTimerFiredEvent } from '../../src/testing/history-builders.js';
import { Scenario, T0, outputOf } from './harness.js';

function retrying(options: RetryOptions) {
  return {
    *Retry(ctx: OrchestrationContext) {
      return yield* ctx.callActivityWithRetry('Flaky', options, 'x');
    },
  };
}

const at = (ms: number) => new Date(T0 + ms).toISOString();

test('a failed attempt is followed by a durable timer with exponential backoff, then a new attempt with a new task id', () => {
  const s = new Scenario(retrying({ firstRetryIntervalInMilliseconds: 1000, backoffCoefficient: 2, maxNumberOfAttempts: 4 }), { tickMs: 0 });
  assert.deepEqual(s.start('Retry').work, [{ kind: 'activity', taskId: 0, name: 'Flaky', input: '"x"' }]);
  assert.deepEqual(s.step([newTaskFailedEvent(0, new Error('1'))]).work, [{ kind: 'timer', timerId: 1, fireAt: at(1000) }]);
  assert.deepEqual(s.step([newTimerFiredEvent(1, at(1000))]).work, [{ kind: 'activity', taskId: 2, name: 'Flaky', input: '"x"' }]);
  assert.deepEqual(s.step([newTaskFailedEvent(2, new Error('2'))]).work, [{ kind: 'timer', timerId: 3, fireAt: at(2000) }]);
  s.step([newTimerFiredEvent(3, at(2000))]);
  assert.deepEqual(s.step([newTaskFailedEvent(4, new Error('3'))]).work, [{ kind: 'timer', timerId: 5, fireAt: at(4000) }]);
  s.step([newTimerFiredEvent(5, at(4000))]);
  const result = s.step([newTaskCompletedEvent(6, 'finally')]);
  assert.equal(result.status, 'Completed');
  assert.equal(result.output, '"finally"');
});

test('the delay is capped by maxRetryIntervalInMilliseconds', () => {
  const s = new Scenario(retrying({ firstRetryIntervalInMilliseconds: 1000, backoffCoefficient: 10, maxRetryIntervalInMilliseconds: 5000, maxNumberOfAttempts: 3 }), { tickMs: 0 });
  s.start('Retry');
  s.step([newTaskFailedEvent(0, new Error('1'))]);
  s.step([newTimerFiredEvent(1, at(1000))]);
  assert.deepEqual(s.step([newTaskFailedEvent(2, new Error('2'))]).work, [{ kind: 'timer', timerId: 3, fireAt: at(5000) }]);
});

test('after maxNumberOfAttempts the last failure is thrown into the code', () => {
  const s = new Scenario(retrying({ firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 }));
  s.start('Retry');
  let attempt = 0;
  const result = s.drive({ Flaky: () => { throw new Error(`failure ${++attempt}`); } });
  assert.equal(attempt, 2);
  assert.equal(result.status, 'Failed');
  assert.equal(result.failureDetails!.errorMessage, "activity 'Flaky' (task 2) failed: failure 2");
});

test('handle returning false stops retrying; it sees the TaskFailedError', () => {
  const seen: unknown[] = [];
  const s = new Scenario(retrying({
    firstRetryIntervalInMilliseconds: 10,
    maxNumberOfAttempts: 5,
    handle: (error) => {
      seen.push(error);
      return (error as TaskFailedError).failureDetails.errorType !== 'TypeError';
    },
  }));
  s.start('Retry');
  const errors: Error[] = [new RangeError('retry me'), new TypeError('give up')];
  const result = s.drive({ Flaky: () => { throw errors.shift()!; } });
  assert.equal(result.status, 'Failed');
  assert.match(result.failureDetails!.errorMessage, /give up/);
  assert.ok(seen.every((e) => e instanceof TaskFailedError));
});

test('no retry once retryTimeoutInMilliseconds has passed since the first attempt was scheduled', () => {
  const s = new Scenario(retrying({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 10, retryTimeoutInMilliseconds: 2500 }), { tickMs: 0 });
  s.start('Retry');
  s.clock = T0 + 1000;
  s.step([newTaskFailedEvent(0, new Error('1'))]);
  s.clock = T0 + 2000;
  s.step([newTimerFiredEvent(1, at(2000))]);
  s.clock = T0 + 2600;
  const result = s.step([newTaskFailedEvent(2, new Error('late'))]);
  assert.equal(result.status, 'Failed');
  assert.match(result.failureDetails!.errorMessage, /late/);
});

test('a throwing handle fails the task with its own error', () => {
  const s = new Scenario(retrying({ firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 3, handle: () => { throw new SyntaxError('bad predicate'); } }));
  s.start('Retry');
  const result = s.step([newTaskFailedEvent(0, new Error('x'))]);
  assert.equal(result.failureDetails!.errorType, 'SyntaxError');
});

test('invalid retry options are refused at the call site', () => {
  for (const bad of [{ firstRetryIntervalInMilliseconds: 0, maxNumberOfAttempts: 1 }, { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 0 }, { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 1.5 }]) {
    const result = new Scenario(retrying(bad)).start('Retry');
    assert.equal(result.failureDetails!.errorType, 'InvalidArgumentError');
  }
});

test('a sub-orchestration retry re-creates the same child instance id and does not advance the numbering', () => {
  const s = new Scenario({
    *Parent(ctx: OrchestrationContext) {
      const first: unknown = yield ctx.callSubOrchestratorWithRetry('Child', { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 2 }, 'in');
      const second: unknown = yield ctx.callSubOrchestrator('Child');
      return [first, second];
    },
  }, { tickMs: 0 });
  s.start('Parent');
  s.step([newSubOrchestrationInstanceFailedEvent(0, new Error('child broke'))]);
  const retried = s.step([newTimerFiredEvent(1, at(100))]);
  assert.deepEqual(retried.work, [{ kind: 'subOrchestration', taskId: 2, name: 'Child', instanceId: 'instance-1:0', input: '"in"' }]);
  const next = s.step([{ type: 'SubOrchestrationInstanceCompleted', eventId: -1, timestamp: s.now, taskScheduledId: 2, result: '1' }]);
  assert.deepEqual(next.work, [{ kind: 'subOrchestration', taskId: 3, name: 'Child', instanceId: 'instance-1:1' }]);
});

test('a caught activity failure exposes the failure details (S-MODEL-5)', () => {
  const s = new Scenario({
    *Catches(ctx: OrchestrationContext) {
      try {
        yield ctx.callActivity('Bad');
      } catch (error) {
        const failure = (error as TaskFailedError).failureDetails;
        return { name: (error as Error).name, message: (error as Error).message, type: failure.errorType, inner: failure.errorMessage, details: failure.details };
      }
    },
  });
  s.start('Catches');
  const thrown = Object.assign(new RangeError('out of stock'), { details: { sku: 42 } });
  const result = s.drive({ Bad: () => { throw thrown; } });
  assert.deepEqual(outputOf(result), {
    name: 'TaskFailedError',
    message: "activity 'Bad' (task 0) failed: out of stock",
    type: 'RangeError',
    inner: 'out of stock',
    details: '{"sku":42}',
  });
});

test('an uncaught error fails at once, even with tasks outstanding; output holds the failure details', () => {
  const s = new Scenario({
    Throws(ctx: OrchestrationContext) {
      ctx.callActivity('Outstanding');
      throw Object.assign(new Error('bad input'), { details: { field: 'x' } });
    },
  });
  const result = s.start('Throws');
  assert.equal(result.status, 'Failed');
  assert.deepEqual(result.work, [], 'a failed step sends nothing');
  assert.equal(result.failureDetails!.errorType, 'Error');
  assert.equal(result.failureDetails!.errorMessage, 'bad input');
  assert.equal(result.failureDetails!.details, '{"field":"x"}');
  assert.match(result.failureDetails!.stackTrace!, /bad input/);
  assert.deepEqual(JSON.parse(result.output!), result.failureDetails);
  assert.deepEqual(s.types(), ['OrchestratorStarted', 'ExecutionStarted', 'ExecutionCompleted', 'OrchestratorCompleted']);
});

test('throwing a non-Error fails with errorType Error and its string form', () => {
  const result = new Scenario({
    Str() {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
      throw 'plain string';
    },
  }).start('Str');
  assert.deepEqual(result.failureDetails, { errorType: 'Error', errorMessage: 'plain string' });
  assert.deepEqual(toFailureDetails(Object.create(null)), { errorType: 'Error', errorMessage: '[object Object]' });
});

test('a rethrown TaskFailedError keeps the activity failure as innerFailure', () => {
  const s = new Scenario({ *Rethrows(ctx: OrchestrationContext) { yield ctx.callActivity('A'); } });
  s.start('Rethrows');
  const result = s.step([newTaskFailedEvent(0, { errorType: 'Error', errorMessage: 'boom', stackTrace: 'at A' })]);
  assert.equal(result.failureDetails!.errorType, 'TaskFailedError');
  assert.equal(result.failureDetails!.errorMessage, "activity 'A' (task 0) failed: boom");
  assert.deepEqual(result.failureDetails!.innerFailure, { errorType: 'Error', errorMessage: 'boom', stackTrace: 'at A' });
});

test('an error cause becomes the innerFailure, and a cause that loops stops after a few levels', () => {
  const wrapped = new Error('outer', { cause: new TypeError('inner') });
  assert.deepEqual(toFailureDetails(wrapped).innerFailure?.errorMessage, 'inner');
  const looping = new Error('loop');
  (looping as { cause?: unknown }).cause = looping;
  let depth = 0;
  for (let f = toFailureDetails(looping).innerFailure; f; f = f.innerFailure) depth++;
  assert.equal(depth, 5);
});
