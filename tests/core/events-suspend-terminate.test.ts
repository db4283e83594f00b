import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import { Task } from '../../src/core/task.js';
import {
  newEventRaisedEvent,
  newExecutionResumedEvent,
  newExecutionStartedEvent,
  newExecutionSuspendedEvent,
  newExecutionTerminatedEvent,
  newSubOrchestrationInstanceCompletedEvent,
  newTaskCompletedEvent,
} from '../../src/testing/history-builders.js';
import { Scenario, outputOf } from './harness.js';

function* collectThree(ctx: OrchestrationContext) {
  const got: unknown[] = [];
  for (let i = 0; i < 3; i++) got.push(yield ctx.waitForExternalEvent('Item'));
  return got;
}

test('events raised before the wait are buffered FIFO per name; none is lost (T15)', () => {
  const s = new Scenario({
    *Waits(ctx: OrchestrationContext) {
      yield ctx.callActivity('Slow');
      return yield* collectThree(ctx);
    },
  });
  s.start('Waits');
  assert.equal(s.step([newEventRaisedEvent('Item', 1), newEventRaisedEvent('Other', 'x'), newEventRaisedEvent('item', 2)]).status, 'Running');
  assert.equal(s.step([newEventRaisedEvent('ITEM', 3)]).status, 'Running');
  const result = s.step([newTaskCompletedEvent(0)]);
  assert.deepEqual(outputOf(result), [1, 2, 3]);
});

test('several same-name events in one step go to the waiters in order, the rest are buffered', () => {
  const s = new Scenario({ Collect: collectThree });
  s.start('Collect');
  s.step([newEventRaisedEvent('Item', 'a'), newEventRaisedEvent('Item', 'b')]);
  const result = s.step([newEventRaisedEvent('Item', 'c'), newEventRaisedEvent('Item', 'd')]);
  assert.deepEqual(outputOf(result), ['a', 'b', 'c']);
});

test('two waiters of one name get the events oldest first', () => {
  const s = new Scenario({
    *TwoWaiters(ctx: OrchestrationContext) {
      return yield* Task.all([ctx.waitForExternalEvent('X'), ctx.waitForExternalEvent('x')]);
    },
  });
  s.start('TwoWaiters');
  assert.deepEqual(outputOf(s.step([newEventRaisedEvent('X', 1), newEventRaisedEvent('X', 2)])), [1, 2]);
});

test('an event without data resolves to undefined', () => {
  const s = new Scenario({ *Bare(ctx: OrchestrationContext) { const v: unknown = yield ctx.waitForExternalEvent('Ping'); return v === undefined; } });
  s.start('Bare');
  assert.equal(s.step([newEventRaisedEvent('Ping')]).output, 'true');
});

test('sendEvent records EventSent with a task id and asks the runtime to deliver it', () => {
  const s = new Scenario({
    *Sender(ctx: OrchestrationContext) {
      ctx.sendEvent('other', 'Hello', { n: 1 });
      yield ctx.callActivity('A');
      return 'sent';
    },
  });
  const result = s.start('Sender');
  assert.deepEqual(result.work, [
    { kind: 'event', instanceId: 'other', name: 'Hello', input: '{"n":1}' },
    { kind: 'activity', taskId: 1, name: 'A' },
  ]);
  assert.deepEqual(result.newEvents[2], { type: 'EventSent', eventId: 0, timestamp: result.newEvents[0]!.timestamp, instanceId: 'other', name: 'Hello', input: '{"n":1}' });
  assert.equal(s.step([newTaskCompletedEvent(1)]).status, 'Completed');
});

test('a suspended instance holds events back, appends them, and delivers them in order on resume (S-SUSPEND-1, S-EVENT-2)', () => {
  const s = new Scenario({
    *Steps(ctx: OrchestrationContext) {
      const a: unknown = yield ctx.callActivity('A');
      const e: unknown = yield ctx.waitForExternalEvent('E');
      return [a, e];
    },
  });
  s.start('Steps');
  const suspended = s.step([newExecutionSuspendedEvent('maintenance')]);
  assert.equal(suspended.status, 'Suspended');
  assert.equal(suspended.output, '"maintenance"');
  const held = s.step([newTaskCompletedEvent(0, 'a'), newEventRaisedEvent('E', 'e')]);
  assert.equal(held.status, 'Suspended');
  assert.deepEqual(held.work, []);
  assert.deepEqual(held.newEvents.map((e) => e.type), ['OrchestratorStarted', 'TaskCompleted', 'EventRaised', 'OrchestratorCompleted']);
  assert.deepEqual(s.step([newExecutionSuspendedEvent('again')]).newEvents, [], 'a duplicate suspend is harmless');
  const resumed = s.step([newExecutionResumedEvent('done')]);
  assert.equal(resumed.status, 'Completed');
  assert.deepEqual(outputOf(resumed), ['a', 'e']);
  assert.deepEqual(s.step([newExecutionResumedEvent()]).newEvents, [], 'a duplicate resume is harmless');
});

test('replay reproduces a suspension from history: a later step while suspended still holds events', () => {
  const s = new Scenario({ Collect: collectThree });
  s.start('Collect');
  s.step([newExecutionSuspendedEvent()]);
  const first = s.step([newEventRaisedEvent('Item', 1)]);
  assert.equal(first.status, 'Suspended');
  assert.equal(first.output, undefined);
  s.step([newEventRaisedEvent('Item', 2)]);
  assert.equal(s.step([newExecutionResumedEvent()]).status, 'Running');
  assert.deepEqual(outputOf(s.step([newEventRaisedEvent('Item', 3)])), [1, 2, 3]);
});

test('terminate ends the instance at once, drops other new events and does not run the code (T16)', () => {
  let runs = 0;
  const s = new Scenario({
    *Counting(ctx: OrchestrationContext) {
      runs++;
      ctx.setCustomStatus('busy');
      yield ctx.callActivity('A');
      yield ctx.callActivity('B');
    },
  });
  s.start('Counting');
  runs = 0;
  const now = s.now;
  const result = s.step([newTaskCompletedEvent(0), newExecutionTerminatedEvent('stop it')]);
  assert.equal(result.status, 'Terminated');
  assert.equal(result.output, '"stop it"');
  assert.equal(result.customStatus, '"busy"', 'the custom status is kept');
  assert.deepEqual(result.work, []);
  assert.deepEqual(result.newEvents, [
    { type: 'OrchestratorStarted', eventId: -1, timestamp: now },
    { type: 'ExecutionTerminated', eventId: -1, timestamp: '2024-01-01T00:00:00.000Z', reason: 'stop it' },
    { type: 'OrchestratorCompleted', eventId: -1, timestamp: now },
  ]);
  assert.ok(runs <= 1, 'only a replay of the past, never the new events');
  const again = s.step([newExecutionTerminatedEvent('twice'), newTaskCompletedEvent(1)]);
  assert.deepEqual(again.newEvents, []);
  assert.equal(again.status, 'Terminated');
  assert.equal(again.output, '"stop it"');
});

test('terminate without a reason has no output; terminate before the first step keeps ExecutionStarted', () => {
  const s = new Scenario({ Collect: collectThree });
  const result = s.step([newExecutionStartedEvent('Collect'), newExecutionTerminatedEvent()]);
  assert.equal(result.status, 'Terminated');
  assert.equal(result.output, undefined);
  assert.deepEqual(s.types(), ['OrchestratorStarted', 'ExecutionStarted', 'ExecutionTerminated', 'OrchestratorCompleted']);
});

test('a suspended instance can be terminated', () => {
  const s = new Scenario({ Collect: collectThree });
  s.start('Collect');
  s.step([newExecutionSuspendedEvent()]);
  assert.equal(s.step([newExecutionTerminatedEvent('bye')]).status, 'Terminated');
});

test('recursive terminate asks to terminate every child still running, and only those (S-TERM-2)', () => {
  const s = new Scenario({
    *Parent(ctx: OrchestrationContext) {
      yield Task.all([ctx.callSubOrchestrator('Child', 1), ctx.callSubOrchestrator('Child', 2), ctx.callSubOrchestrator('Child', 3, 'named-child')]);
    },
  });
  s.start('Parent');
  s.step([newSubOrchestrationInstanceCompletedEvent(0)]);
  const result = s.step([newExecutionTerminatedEvent('cascade', { recursive: true }), newSubOrchestrationInstanceCompletedEvent(1)]);
  assert.deepEqual(result.work, [{ kind: 'terminate', instanceId: 'named-child', reason: 'cascade' }]);
  const plain = new Scenario({ Parent: s.orchestrators.Parent! });
  plain.start('Parent');
  assert.deepEqual(plain.step([newExecutionTerminatedEvent('flat')]).work, [], 'not recursive: children keep running (as DF)');
});
