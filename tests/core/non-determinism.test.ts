import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext, OrchestratorFunction } from '../../src/core/context.js';
import { newTaskCompletedEvent } from '../../src/testing/history-builders.js';
import { Scenario } from './harness.js';

function* original(ctx: OrchestrationContext) {
  const a: unknown = yield ctx.callActivity('A', 1);
  const b: unknown = yield ctx.callActivity('B', 2);
  const c: unknown = yield ctx.callActivity('C', 3);
  return [a, b, c];
}

/** Runs the original code for two steps (tasks 0 and 1 recorded), then the changed code for the third. */
function replayWith(changed: OrchestratorFunction) {
  const s = new Scenario({ Flow: original }, { instanceId: 'order-7' });
  s.start('Flow');
  s.step([newTaskCompletedEvent(0, 'a')]);
  s.orchestrators.Flow = changed;
  return s.step([newTaskCompletedEvent(1, 'b')]);
}

function assertNonDeterminism(result: ReturnType<typeof replayWith>, message: string) {
  assert.equal(result.status, 'Failed');
  assert.equal(result.failureDetails!.errorType, 'NonDeterminismError');
  assert.equal(result.failureDetails!.errorMessage, message);
  assert.deepEqual(result.work, []);
}

test('reordered activities fail with both actions named', () => {
  assertNonDeterminism(
    replayWith(function* (ctx) {
      yield ctx.callActivity('B', 2);
      yield ctx.callActivity('A', 1);
    }),
    "non-deterministic orchestration 'order-7' at task 0 (history sequence 2): history has TaskScheduled 'A', code produced TaskScheduled 'B'",
  );
});

test('a renamed activity fails', () => {
  assertNonDeterminism(
    replayWith(function* (ctx) {
      yield ctx.callActivity('A', 1);
      yield ctx.callActivity('B2', 2);
    }),
    "non-deterministic orchestration 'order-7' at task 1 (history sequence 6): history has TaskScheduled 'B', code produced TaskScheduled 'B2'",
  );
});

test('an added timer fails', () => {
  assertNonDeterminism(
    replayWith(function* (ctx) {
      yield ctx.callActivity('A', 1);
      yield ctx.createTimer(ctx.currentUtcDateTime);
      yield ctx.callActivity('B', 2);
    }),
    "non-deterministic orchestration 'order-7' at task 1 (history sequence 6): history has TaskScheduled 'B', code produced TimerCreated",
  );
});

test('a removed action fails', () => {
  assertNonDeterminism(
    replayWith(function* (ctx) {
      yield ctx.callActivity('A', 1);
      return 'shortcut';
    }),
    "non-deterministic orchestration 'order-7' at task 1 (history sequence 6): history has TaskScheduled 'B', code produced no action",
  );
});

test('an action the history does not have at the end of a recorded step fails', () => {
  assertNonDeterminism(
    replayWith(function* (ctx) {
      yield ctx.callActivity('A', 1);
      yield [ctx.callActivity('B', 2), ctx.callActivity('Extra')][0];
    }),
    "non-deterministic orchestration 'order-7' at task 2 (history sequence 7): history has no action, code produced TaskScheduled 'Extra'",
  );
});

test('a changed input fails (T13)', () => {
  assertNonDeterminism(
    replayWith(function* (ctx) {
      yield ctx.callActivity('A', 1);
      yield ctx.callActivity('B', { changed: true });
    }),
    "non-deterministic orchestration 'order-7' at task 1 (history sequence 6): history has TaskScheduled 'B' with input 2, code produced TaskScheduled 'B' with input {\"changed\":true}",
  );
});

test('a timer computed from the wall clock fails on replay', () => {
  let wall = Date.parse('2030-01-01T00:00:00.000Z');
  const s = new Scenario({
    *Clock(ctx: OrchestrationContext) {
      yield ctx.createTimer(new Date(wall));
      yield ctx.callActivity('After');
    },
  }, { instanceId: 'clocky' });
  s.start('Clock');
  wall += 1000;
  const result = s.step([{ type: 'TimerFired', eventId: -1, timestamp: s.now, timerId: 0, fireAt: '2030-01-01T00:00:00.000Z' }]);
  assert.equal(result.failureDetails!.errorType, 'NonDeterminismError');
  assert.match(result.failureDetails!.errorMessage, /at task 0 \(history sequence 2\): history has TimerCreated firing at 2030-01-01T00:00:00.000Z, code produced TimerCreated firing at 2030-01-01T00:00:01.000Z/);
});

test('a random child instance id fails', () => {
  let id = 'child-1';
  const s = new Scenario({
    *Parent(ctx: OrchestrationContext) {
      yield ctx.callSubOrchestrator('Child', undefined, id);
      yield ctx.callActivity('After');
    },
  }, { instanceId: 'p' });
  s.start('Parent');
  id = 'child-2';
  const result = s.step([{ type: 'SubOrchestrationInstanceCompleted', eventId: -1, timestamp: s.now, taskScheduledId: 0 }]);
  assert.equal(
    result.failureDetails!.errorMessage,
    "non-deterministic orchestration 'p' at task 0 (history sequence 2): history has SubOrchestrationInstanceCreated 'Child' (instance 'child-1'), code produced SubOrchestrationInstanceCreated 'Child' (instance 'child-2')",
  );
});

test('an event sent to another instance than recorded fails', () => {
  let target = 'shipping-1';
  const s = new Scenario({
    *Notifier(ctx: OrchestrationContext) {
      ctx.sendEvent(target, 'Go', 1);
      yield ctx.callActivity('After');
    },
  }, { instanceId: 'n' });
  s.start('Notifier');
  target = 'shipping-2';
  const result = s.step([newTaskCompletedEvent(1, 'done')]);
  assert.equal(result.status, 'Failed');
  assert.equal(
    result.failureDetails!.errorMessage,
    "non-deterministic orchestration 'n' at task 0 (history sequence 2): history has EventSent 'Go' (to instance 'shipping-1'), code produced EventSent 'Go' (to instance 'shipping-2')",
  );
  assert.deepEqual(result.work, []);
});

test('the history sequence is where the disagreeing event is in the history, or the end of the step that lacks one', () => {
  const recordedThenReplayed = (changed: OrchestratorFunction) => {
    const s = new Scenario({ Flow: original }, { instanceId: 'order-7' });
    s.start('Flow');
    s.step([newTaskCompletedEvent(0, 'a')]);
    const history = [...s.history];
    s.orchestrators.Flow = changed;
    const { historySequence, taskId } = JSON.parse(s.step([newTaskCompletedEvent(1, 'b')]).failureDetails!.details!) as { historySequence: number; taskId: number };
    return { event: history[historySequence]!, isLast: historySequence === history.length - 1, taskId };
  };
  const renamed = recordedThenReplayed(function* (ctx) {
    yield ctx.callActivity('A', 1);
    yield ctx.callActivity('B2', 2);
  });
  assert.deepEqual(renamed.event, { ...renamed.event, type: 'TaskScheduled', eventId: renamed.taskId, name: 'B' });
  const added = recordedThenReplayed(function* (ctx) {
    yield ctx.callActivity('A', 1);
    yield [ctx.callActivity('B', 2), ctx.callActivity('Extra')][0];
  });
  assert.equal(added.event.type, 'OrchestratorCompleted');
  assert.ok(added.isLast, 'the OrchestratorCompleted of the step the extra action was produced in');
});

test('the failure details carry the facts as data, and replaying the same code is clean', () => {
  const result = replayWith(function* (ctx) {
    yield ctx.callActivity('B', 2);
  });
  assert.deepEqual(JSON.parse(result.failureDetails!.details!), { instanceId: 'order-7', taskId: 0, historySequence: 2, recorded: "TaskScheduled 'A'", produced: "TaskScheduled 'B'" });
  const same = replayWith(original);
  assert.equal(same.status, 'Running');
  assert.deepEqual(same.work, [{ kind: 'activity', taskId: 2, name: 'C', input: '3' }]);
});

test('code that cannot be caught: the orchestrator cannot swallow a non-determinism error', () => {
  const result = replayWith(function* (ctx) {
    try {
      yield ctx.callActivity('Z');
    } catch {
      return 'swallowed';
    }
  });
  assert.equal(result.status, 'Failed');
  assert.equal(result.failureDetails!.errorType, 'NonDeterminismError');
});
