import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext, Task as TaskType } from '../../src/core/context.js';
import { TaskFailedError } from '../../src/core/failure.js';
import { Task } from '../../src/core/task.js';
import { newEventRaisedEvent, newTaskCompletedEvent, newTaskFailedEvent, newTimerFiredEvent } from '../../src/testing/history-builders.js';
import { Scenario, outputOf } from './harness.js';

function* approval(ctx: OrchestrationContext, input: { timeoutSeconds: number }) {
  ctx.setCustomStatus('waiting-for-approval');
  const deadline = new Date(ctx.currentUtcDateTime.getTime() + input.timeoutSeconds * 1000);
  const timer = ctx.createTimer(deadline);
  const approved = ctx.waitForExternalEvent('Approval');
  const winner: TaskType<unknown> = yield Task.any([approved, timer]);
  if (winner === approved) {
    timer.cancel();
    return { outcome: 'approved', data: approved.result };
  }
  return { outcome: 'timeout' };
}

test('Approval: the event wins, the timer is cancelled and no longer keeps the instance running', () => {
  const s = new Scenario({ Approval: approval });
  const started = s.start('Approval', { timeoutSeconds: 60 });
  assert.equal(started.status, 'Running');
  assert.equal(started.customStatus, '"waiting-for-approval"');
  assert.deepEqual(started.work, [{ kind: 'timer', timerId: 0, fireAt: '2024-05-01T10:01:00.000Z' }]);
  const approved = s.step([newEventRaisedEvent('Approval', { by: 'ann' })]);
  assert.equal(approved.status, 'Completed');
  assert.deepEqual(outputOf(approved), { outcome: 'approved', data: { by: 'ann' } });
  assert.equal(approved.customStatus, '"waiting-for-approval"');
  // The timer still fires later; the runtime drops it for a finished instance, the engine would too.
  const late = s.step([newTimerFiredEvent(0, '2024-05-01T10:01:00.000Z')]);
  assert.deepEqual(late.newEvents, []);
  assert.equal(late.status, 'Completed');
});

test('Approval: the timer wins when no event comes', () => {
  const s = new Scenario({ Approval: approval });
  s.start('Approval', { timeoutSeconds: 60 });
  const result = s.step([newTimerFiredEvent(0, '2024-05-01T10:01:00.000Z')]);
  assert.deepEqual(outputOf(result), { outcome: 'timeout' });
});

test('an uncancelled timer keeps a returned orchestrator Running until it fires (S-MODEL-4)', () => {
  const s = new Scenario({
    Forgetful(ctx: OrchestrationContext) {
      ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 5000));
      return 'done early';
    },
  });
  const first = s.start('Forgetful');
  assert.equal(first.status, 'Running');
  assert.equal(first.work[0]?.kind, 'timer');
  const fired = s.step([newTimerFiredEvent(0, '2024-05-01T10:00:05.000Z')]);
  assert.equal(fired.status, 'Completed');
  assert.equal(fired.output, '"done early"');
});

test('an unwaited activity keeps a returned orchestrator Running; an unwaited event wait does not', () => {
  const s = new Scenario({
    Returns(ctx: OrchestrationContext) {
      ctx.waitForExternalEvent('Never');
      ctx.callActivity('Background');
      return 1;
    },
  });
  assert.equal(s.start('Returns').status, 'Running');
  assert.equal(s.step([newTaskCompletedEvent(0)]).status, 'Completed');
});

test('Sleep: a durable timer completes when it fires', () => {
  const s = new Scenario({
    *Sleep(ctx: OrchestrationContext, seconds = 1) {
      yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + seconds * 1000));
      return 'done';
    },
  });
  s.start('Sleep', 2);
  const result = s.drive({});
  assert.equal(result.status, 'Completed');
  assert.deepEqual(s.types().filter((t) => t.startsWith('Timer')), ['TimerCreated', 'TimerFired']);
});

test('createTimer refuses an invalid date', () => {
  const s = new Scenario({
    *Bad(ctx: OrchestrationContext) {
      yield ctx.createTimer(new Date('nonsense'));
    },
  });
  const result = s.start('Bad');
  assert.equal(result.failureDetails?.errorType, 'InvalidArgumentError');
});

test('Task.all completes with all results in order, whatever order they complete in', () => {
  const s = new Scenario({
    *All(ctx: OrchestrationContext) {
      const results: [number, string] = yield* Task.all([ctx.callActivity<number>('N'), ctx.callActivity<string>('S')]);
      return results;
    },
  });
  s.start('All');
  assert.equal(s.step([newTaskCompletedEvent(1, 'b')]).status, 'Running');
  assert.deepEqual(outputOf(s.step([newTaskCompletedEvent(0, 7)])), [7, 'b']);
});

test('Task.all of nothing completes at once with []', () => {
  const s = new Scenario({ *Empty() { return yield* Task.all([]); } });
  assert.equal(s.start('Empty').output, '[]');
});

test('Task.all faults as soon as one task faults, with that TaskFailedError', () => {
  let caught: unknown;
  const s = new Scenario({
    *All(ctx: OrchestrationContext) {
      try {
        yield Task.all([ctx.callActivity('A'), ctx.callActivity('B')]);
      } catch (error) {
        caught = error;
        return 'caught';
      }
    },
  });
  s.start('All');
  const result = s.step([newTaskFailedEvent(1, new Error('boom'))]);
  assert.ok(caught instanceof TaskFailedError);
  assert.equal(caught.message, "activity 'B' (task 1) failed: boom");
  // Task 0 is still outstanding, so the instance waits for it (S-MODEL-4).
  assert.equal(result.status, 'Running');
  assert.equal(s.step([newTaskCompletedEvent(0)]).status, 'Completed');
});

test('Task.any completes with the first task to finish, even a failed one', () => {
  const s = new Scenario({
    *Any(ctx: OrchestrationContext) {
      const a = ctx.callActivity('A');
      const b = ctx.callActivity('B');
      const winner: TaskType<unknown> = yield Task.any([a, b]);
      return { first: winner === a ? 'A' : 'B', faulted: winner.isFaulted, completed: winner.isCompleted, result: winner.result ?? null };
    },
  });
  s.start('Any');
  const result = s.step([newTaskFailedEvent(1, new Error('no')), newTaskCompletedEvent(0, 1)]);
  assert.deepEqual(outputOf(result), { first: 'B', faulted: true, completed: true, result: null });
});

test('Task.any refuses an empty array and Task.all refuses things that are not tasks', () => {
  assert.throws(() => Task.any([]), /at least one task/);
  assert.throws(() => Task.all([{} as never]), /element 0 is not a task/);
});

test('yield* gives the typed result; yielding a finished task continues at once', () => {
  const s = new Scenario({
    *Typed(ctx: OrchestrationContext) {
      const a = ctx.callActivity<number>('A');
      const n: number = yield* a;
      const again: number = yield* a;
      return n + again;
    },
  });
  s.start('Typed');
  assert.equal(s.step([newTaskCompletedEvent(0, 20)]).output, '40');
});

test('composite tasks nest: Task.any of Task.all and a timer', () => {
  const s = new Scenario({
    *Nested(ctx: OrchestrationContext) {
      const work = Task.all([ctx.callActivity('A'), ctx.callActivity('B')]);
      const timeout = ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 1000));
      const winner: unknown = yield Task.any([work, timeout]);
      if (winner === work) timeout.cancel();
      return winner === work ? work.result : 'timeout';
    },
  });
  s.start('Nested');
  s.step([newTaskCompletedEvent(0, 'a')]);
  const result = s.step([newTaskCompletedEvent(1, 'b')]);
  assert.deepEqual(outputOf(result), ['a', 'b']);
  assert.equal(result.status, 'Completed');
});

test('cancelling a timer that already fired changes nothing', () => {
  const s = new Scenario({
    *Cancel(ctx: OrchestrationContext) {
      const timer = ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime()));
      yield timer;
      timer.cancel();
      return timer.isCancelled;
    },
  });
  s.start('Cancel');
  assert.equal(s.drive({}).output, 'false');
});
