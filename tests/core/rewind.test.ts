import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { Task } from '../../src/core/task.js';
import {
  newExecutionRewoundEvent,
  newSubOrchestrationInstanceCompletedEvent,
  newSubOrchestrationInstanceFailedEvent,
  newTaskCompletedEvent,
  newTaskFailedEvent,
  newTimerFiredEvent,
} from '../../src/testing/history-builders.js';
import { Scenario, T0, outputOf } from './harness.js';

const boom = new Error('boom');

function* sequence(ctx: OrchestrationContext) {
  const a: unknown = yield ctx.callActivity('A');
  const b: unknown = yield ctx.callActivity('B');
  return [a, b];
}

function failures(history: readonly HistoryEvent[]): string[] {
  return history.filter((e) => e.type === 'TaskFailed' || e.type === 'SubOrchestrationInstanceFailed' || e.type === 'ExecutionCompleted').map((e) => `${e.type}${'taskScheduledId' in e ? ` ${e.taskScheduledId}` : ''}`);
}

test('a failure at the last step: the failed activity runs again, the completed one does not (S-REWIND-1)', () => {
  const s = new Scenario({ Seq: sequence });
  s.start('Seq');
  s.step([newTaskCompletedEvent(0, 'a')]);
  assert.equal(s.step([newTaskFailedEvent(1, boom)]).status, 'Failed');
  const failedHistory = s.history;
  const now = s.now;
  const rewound = newExecutionRewoundEvent('fixed it');
  const result = s.step([rewound]);
  assert.equal(result.replaceHistory, true);
  assert.equal(result.status, 'Running');
  assert.equal(result.output, undefined);
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 1, name: 'B' }]);
  const kept = failedHistory.filter((e) => e.type !== 'TaskFailed' && e.type !== 'ExecutionCompleted');
  assert.deepEqual(result.newEvents, [
    ...kept,
    { type: 'OrchestratorStarted', eventId: -1, timestamp: now },
    rewound,
    { type: 'OrchestratorCompleted', eventId: -1, timestamp: now },
  ]);
  const done = s.step([newTaskCompletedEvent(1, 'b')]);
  assert.equal(done.status, 'Completed');
  assert.deepEqual(outputOf(done), ['a', 'b']);
});

test('Task.all fail-fast with siblings still open: every open activity runs again, completed ones do not', () => {
  const s = new Scenario({
    *FanOut(ctx: OrchestrationContext) {
      return yield* Task.all(['A', 'B', 'C', 'D'].map((name) => ctx.callActivity(name)));
    },
  });
  s.start('FanOut');
  s.step([newTaskCompletedEvent(0, 'a')]);
  assert.equal(s.step([newTaskFailedEvent(2, boom)]).status, 'Failed');
  // D's result reaches the failed instance and is dropped, as the runtime does for finished instances.
  assert.deepEqual(s.step([newTaskCompletedEvent(3, 'd')]).newEvents, []);
  const result = s.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.work.map((w) => w.kind === 'activity' && w.name), ['B', 'C', 'D']);
  assert.deepEqual(failures(s.history), []);
  s.step([newTaskCompletedEvent(1, 'b'), newTaskCompletedEvent(2, 'c')]);
  const done = s.step([newTaskCompletedEvent(3, 'd')]);
  assert.deepEqual(outputOf(done), ['a', 'b', 'c', 'd']);
});

test('a failure that happened while the code waited on a timer, observed after it fired, is undone', () => {
  const s = new Scenario({
    *Later(ctx: OrchestrationContext) {
      const a = ctx.callActivity('A');
      yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 60_000));
      const x = ctx.callActivity('X');
      return [yield* a, yield* x];
    },
  });
  s.start('Later');
  assert.equal(s.step([newTaskFailedEvent(0, boom)]).status, 'Running');
  const failed = s.step([newTimerFiredEvent(1, new Date(T0 + 60_000))]);
  assert.equal(failed.status, 'Failed');
  assert.deepEqual(failed.work, [], 'X was dropped with the failed step');

  const result = s.step([newExecutionRewoundEvent()]);
  // X, which the failed step dropped, is recorded in that step and scheduled now.
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 0, name: 'A' }, { kind: 'activity', taskId: 2, name: 'X' }]);
  const timerStep = s.history.findIndex((e) => e.type === 'TimerFired');
  assert.deepEqual(s.history.slice(timerStep, timerStep + 3).map((e) => e.type), ['TimerFired', 'TaskScheduled', 'OrchestratorCompleted']);
  assert.equal(s.history.filter((e) => e.type === 'TimerCreated').length, 1, 'the fired timer is not created again');

  assert.equal(s.step([newTaskCompletedEvent(2, 'x')]).status, 'Running');
  assert.deepEqual(outputOf(s.step([newTaskCompletedEvent(0, 'a')])), ['a', 'x']);
});

test('caught failures stay in history and are not redone; only the fatal one is', () => {
  let attemptsOfA = 0;
  const s = new Scenario({
    *Careful(ctx: OrchestrationContext) {
      let a: unknown;
      try {
        a = yield ctx.callActivity('A');
      } catch {
        a = 'fallback';
      }
      const b: unknown = yield ctx.callActivity('B');
      return [a, b];
    },
  });
  s.start('Careful');
  s.drive({ A: () => { attemptsOfA++; throw new Error('A is down'); }, B: () => { throw boom; } });
  assert.equal(s.last.status, 'Failed');
  const result = s.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 1, name: 'B' }]);
  assert.deepEqual(failures(s.history), ['TaskFailed 0']);
  const done = s.drive({ B: () => 'b' });
  assert.deepEqual(outputOf(done), ['fallback', 'b']);
  assert.equal(attemptsOfA, 1);
});

test('a Task.any that saw a failure and went on keeps it', () => {
  const s = new Scenario({
    *Race(ctx: OrchestrationContext) {
      const winner: Task<unknown> = yield Task.any([ctx.callActivity('Fast'), ctx.callActivity('Slow')]);
      const after: unknown = yield ctx.callActivity('After');
      return [winner.isFaulted, after];
    },
  });
  s.start('Race');
  s.step([newTaskFailedEvent(0, new Error('fast failed'))]);
  s.step([newTaskCompletedEvent(1, 'slow')]);
  assert.equal(s.step([newTaskFailedEvent(2, boom)]).status, 'Failed');
  const result = s.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 2, name: 'After' }]);
  assert.deepEqual(failures(s.history), ['TaskFailed 0']);
  assert.deepEqual(outputOf(s.step([newTaskCompletedEvent(2, 'ok')])), [true, 'ok']);
});

test('retries: failures the retry absorbed stay, the final attempt runs again', () => {
  const s = new Scenario({
    *Retry(ctx: OrchestrationContext) {
      return yield* ctx.callActivityWithRetry('Flaky', { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 2 });
    },
  });
  s.start('Retry');
  s.drive({ Flaky: () => { throw boom; } });
  assert.equal(s.last.status, 'Failed');
  const result = s.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 2, name: 'Flaky' }]);
  assert.deepEqual(failures(s.history), ['TaskFailed 0']);
  assert.equal(s.step([newTaskCompletedEvent(2, 'third time lucky')]).output, '"third time lucky"');
});

test('open timers are created again', () => {
  const s = new Scenario({
    *Deadline(ctx: OrchestrationContext) {
      const timer = ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 3_600_000));
      const work = ctx.callActivity('Work');
      const winner: unknown = yield Task.any([work, timer]);
      if (winner === timer) return 'late';
      timer.cancel();
      return yield* work;
    },
  });
  s.start('Deadline');
  assert.equal(s.step([newTaskFailedEvent(1, boom)]).status, 'Failed');
  const result = s.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.work, [
    { kind: 'timer', timerId: 0, fireAt: new Date(T0 + 3_600_000).toISOString() },
    { kind: 'activity', taskId: 1, name: 'Work' },
  ]);
  assert.equal(s.step([newTaskCompletedEvent(1, 'w')]).output, '"w"');
});

test('a failed sub-orchestration is rewound, not started again', () => {
  const s = new Scenario({
    *Parent(ctx: OrchestrationContext) {
      const a: unknown = yield ctx.callSubOrchestrator('Child', 1);
      const b: unknown = yield ctx.callSubOrchestrator('Child', 2);
      return [a, b];
    },
  });
  s.start('Parent');
  s.step([newSubOrchestrationInstanceCompletedEvent(0, 'one')]);
  s.step([newSubOrchestrationInstanceFailedEvent(1, boom)]);
  const result = s.step([newExecutionRewoundEvent('retry children')]);
  assert.deepEqual(result.work, [{ kind: 'rewind', instanceId: 'instance-1:1', reason: 'retry children' }]);
  assert.deepEqual(outputOf(s.step([newSubOrchestrationInstanceCompletedEvent(1, 'two')])), ['one', 'two']);
});

test('the rewritten history replays deterministically, step after step', () => {
  const s = new Scenario({
    *Three(ctx: OrchestrationContext) {
      const results: unknown[] = [];
      for (const name of ['A', 'B', 'C']) results.push(yield ctx.callActivity(name));
      return results;
    },
  });
  s.start('Three');
  let failedOnce = false;
  s.drive({ A: () => 'a', B: () => { if (!failedOnce) { failedOnce = true; throw boom; } return 'b'; }, C: () => 'c' });
  assert.equal(s.last.status, 'Failed');
  s.step([newExecutionRewoundEvent()]);
  const done = s.drive({ A: () => 'a', B: () => 'b', C: () => 'c' });
  assert.deepEqual(outputOf(done), ['a', 'b', 'c']);
  assert.deepEqual(s.types().filter((t) => t === 'TaskScheduled').length, 3);
});

test('an error the code throws by itself fails again right away', () => {
  const s = new Scenario({
    *Broken(ctx: OrchestrationContext) {
      yield ctx.callActivity('A');
      throw new Error('bug');
    },
  });
  s.start('Broken');
  s.step([newTaskCompletedEvent(0)]);
  const result = s.step([newExecutionRewoundEvent()]);
  assert.equal(result.status, 'Failed');
  assert.equal(result.failureDetails!.errorMessage, 'bug');
  assert.deepEqual(result.work, []);
  assert.deepEqual(result.newEvents.slice(-4).map((e) => e.type), ['OrchestratorStarted', 'ExecutionRewound', 'ExecutionCompleted', 'OrchestratorCompleted']);
});

test('an orchestrator registered after its instance failed as unknown starts on rewind', () => {
  const s = new Scenario({});
  assert.equal(s.start('Late').failureDetails!.errorType, 'UnknownOrchestratorError');
  s.orchestrators.Late = function* (ctx: OrchestrationContext) { return yield* ctx.callActivity('A'); };
  const result = s.step([newExecutionRewoundEvent()]);
  assert.equal(result.status, 'Running');
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 0, name: 'A' }]);
  assert.equal(s.step([newTaskCompletedEvent(0, 1)]).output, '1');
});

test('rewinding an instance that has not failed changes nothing', () => {
  const running = new Scenario({ Seq: sequence });
  running.start('Seq');
  const result = running.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.newEvents, []);
  assert.equal(result.status, 'Running');
  const completed = new Scenario({ Seq: sequence });
  completed.start('Seq');
  completed.drive({ A: () => 1, B: () => 2 });
  const again = completed.step([newExecutionRewoundEvent()]);
  assert.deepEqual(again.newEvents, []);
  assert.equal(again.status, 'Completed');
  assert.equal(again.output, '[1,2]');
});

test('a failing step with several events: a retry decision it made is kept and its dropped timer recorded', () => {
  const s = new Scenario({
    *Mixed(ctx: OrchestrationContext) {
      const a = ctx.callActivity('A');
      const r = ctx.callActivityWithRetry('R', { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 });
      const c = ctx.callActivity('C');
      return [yield* a, yield* r, yield* c];
    },
  });
  s.start('Mixed');
  // R's first attempt fails (the retry absorbs it and creates a timer), then A's failure kills the code,
  // then C completes: all in one step.
  const failed = s.step([newTaskFailedEvent(1, new Error('r1')), newTaskFailedEvent(0, boom), newTaskCompletedEvent(2, 'c')]);
  assert.equal(failed.status, 'Failed');
  assert.deepEqual(failed.work, []);
  const retryAt = failed.newEvents[0]!.timestamp;

  const result = s.step([newExecutionRewoundEvent()]);
  assert.deepEqual(result.work, [
    { kind: 'activity', taskId: 0, name: 'A' },
    { kind: 'timer', timerId: 3, fireAt: new Date(Date.parse(retryAt) + 1000).toISOString() },
  ]);
  assert.deepEqual(failures(s.history), ['TaskFailed 1']);
  s.step([newTaskCompletedEvent(0, 'a')]);
  assert.deepEqual(s.step([newTimerFiredEvent(3, new Date(Date.parse(retryAt) + 1000))]).work, [{ kind: 'activity', taskId: 4, name: 'R' }]);
  assert.deepEqual(outputOf(s.step([newTaskCompletedEvent(4, 'r')])), ['a', 'r', 'c']);
});

test('a late result arriving with the rewind counts: that activity is not run again', () => {
  const s = new Scenario({
    *Pair(ctx: OrchestrationContext) {
      return yield* Task.all([ctx.callActivity<string>('A'), ctx.callActivity<string>('B')]);
    },
  });
  s.start('Pair');
  assert.equal(s.step([newTaskFailedEvent(0, boom)]).status, 'Failed');
  const result = s.step([newExecutionRewoundEvent(), newTaskCompletedEvent(1, 'b')]);
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 0, name: 'A' }]);
  assert.deepEqual(result.newEvents.slice(-4).map((e) => e.type), ['OrchestratorStarted', 'ExecutionRewound', 'TaskCompleted', 'OrchestratorCompleted']);
  assert.deepEqual(outputOf(s.step([newTaskCompletedEvent(0, 'a')])), ['a', 'b']);
});
