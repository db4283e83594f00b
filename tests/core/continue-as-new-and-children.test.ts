import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { EventRaisedEvent } from '../../src/core/history.js';
import { TaskFailedError } from '../../src/core/failure.js';
import { Task } from '../../src/core/task.js';
import {
  newEventRaisedEvent,
  newSubOrchestrationInstanceCompletedEvent,
  newSubOrchestrationInstanceFailedEvent,
} from '../../src/testing/history-builders.js';
import { Scenario, outputOf } from './harness.js';

/** The demo's Counter (S-DEMO). */
function* counter(ctx: OrchestrationContext, input: { total?: number } = {}) {
  const total = input.total ?? 0;
  ctx.setCustomStatus(total);
  const add = ctx.waitForExternalEvent<number>('Add');
  const stop = ctx.waitForExternalEvent('Stop');
  const winner: unknown = yield Task.any([add, stop]);
  if (winner === add) {
    ctx.continueAsNew({ total: total + add.result! }, { preserveUnprocessedEvents: true });
    return;
  }
  return total;
}

test('continueAsNew ends the execution with ContinueAsNew and the next input; unprocessed events are carried over in order', () => {
  const s = new Scenario({ Counter: counter });
  s.start('Counter', { total: 1 });
  const add2 = newEventRaisedEvent('Add', 2);
  const add3 = newEventRaisedEvent('Add', 3);
  const stop = newEventRaisedEvent('Stop');
  const result = s.step([add2, add3, stop]);
  assert.equal(result.status, 'ContinuedAsNew');
  assert.deepEqual(result.continuedAsNew, { input: '{"total":3}', carryOverEvents: [add3, stop] });
  assert.equal(result.customStatus, '1');
  assert.deepEqual(result.newEvents.map((e) => e.type), ['OrchestratorStarted', 'EventRaised', 'EventRaised', 'EventRaised', 'ContinueAsNew', 'OrchestratorCompleted']);
  assert.deepEqual(result.newEvents.at(-2), { type: 'ContinueAsNew', eventId: -1, timestamp: result.newEvents[0]!.timestamp, result: '{"total":3}' });

  // The runtime starts the next execution with the carried events: the counter ends at 6.
  let execution = new Scenario({ Counter: counter });
  let carried: { input?: string; carryOverEvents: EventRaisedEvent[] } | undefined = result.continuedAsNew;
  for (;;) {
    assert.ok(carried?.input);
    execution.start('Counter', JSON.parse(carried.input));
    const next = execution.step(carried.carryOverEvents);
    if (next.status !== 'ContinuedAsNew') {
      assert.equal(next.status, 'Completed');
      assert.equal(next.output, '6');
      break;
    }
    carried = next.continuedAsNew;
    execution = new Scenario({ Counter: counter });
  }
});

test('without preserveUnprocessedEvents nothing is carried over', () => {
  const s = new Scenario({
    *Once(ctx: OrchestrationContext) {
      yield ctx.waitForExternalEvent('Go');
      ctx.continueAsNew('next');
    },
  });
  s.start('Once');
  const result = s.step([newEventRaisedEvent('Go'), newEventRaisedEvent('Extra')]);
  assert.deepEqual(result.continuedAsNew, { input: '"next"', carryOverEvents: [] });
});

test('continue-as-new keeps events sent to other instances and drops the rest of its step', () => {
  const s = new Scenario({
    Loop(ctx: OrchestrationContext) {
      ctx.sendEvent('watcher', 'Tick', 1);
      ctx.callActivity('Pointless');
      ctx.continueAsNew(undefined);
    },
  });
  const result = s.start('Loop');
  assert.equal(result.status, 'ContinuedAsNew');
  assert.deepEqual(result.work, [{ kind: 'event', instanceId: 'watcher', name: 'Tick', input: '1' }]);
  assert.deepEqual(result.continuedAsNew, { carryOverEvents: [] });
  assert.deepEqual(result.newEvents.map((e) => e.type), ['OrchestratorStarted', 'ExecutionStarted', 'EventSent', 'ContinueAsNew', 'OrchestratorCompleted']);
});

test('the custom status is the latest value after each step, replayed deterministically', () => {
  const s = new Scenario({
    *Status(ctx: OrchestrationContext) {
      ctx.setCustomStatus({ stage: 1 });
      yield ctx.waitForExternalEvent('Next');
      ctx.setCustomStatus({ stage: 2 });
      yield ctx.waitForExternalEvent('Next');
      ctx.setCustomStatus(undefined);
      yield ctx.waitForExternalEvent('Next');
    },
  });
  assert.equal(s.start('Status').customStatus, '{"stage":1}');
  assert.equal(s.step([newEventRaisedEvent('Other')]).customStatus, '{"stage":1}');
  assert.equal(s.step([newEventRaisedEvent('Next')]).customStatus, '{"stage":2}');
  assert.equal(s.step([newEventRaisedEvent('Next')]).customStatus, undefined);
});

test('sub-orchestrations get default ids <parent>:<n> and their results', () => {
  const s = new Scenario({
    *ParentOfChildren(ctx: OrchestrationContext) {
      const a: unknown = yield ctx.callSubOrchestrator('HelloWorld', 'Tokyo');
      const b: unknown = yield ctx.callSubOrchestrator({ name: 'HelloWorld', kind: 'orchestrator' }, 'Seattle');
      return [a, b];
    },
    *HelloWorld(ctx: OrchestrationContext, name = 'World') {
      return yield* ctx.callActivity('E1_SayHello', name);
    },
  });
  const first = s.start('ParentOfChildren');
  assert.deepEqual(first.work, [{ kind: 'subOrchestration', taskId: 0, name: 'HelloWorld', instanceId: 'instance-1:0', input: '"Tokyo"' }]);
  const done = s.drive({ E1_SayHello: (name: string) => `Hello ${name}!` });
  assert.deepEqual(outputOf(done), ['Hello Tokyo!', 'Hello Seattle!']);
  assert.deepEqual([...s.children.keys()], ['instance-1:0', 'instance-1:1']);
  const childStart = s.children.get('instance-1:1')!.history[1]!;
  assert.equal(childStart.type === 'ExecutionStarted' ? childStart.parentInstance?.instanceId : undefined, 'instance-1');
});

test('an explicit child id is used as given and still counts for the default numbering', () => {
  const s = new Scenario({
    *Parent(ctx: OrchestrationContext) {
      yield Task.all([ctx.callSubOrchestrator('C', undefined, 'mine'), ctx.callSubOrchestrator('C')]);
    },
  });
  const ids = s.start('Parent').work.map((w) => (w.kind === 'subOrchestration' ? w.instanceId : ''));
  assert.deepEqual(ids, ['mine', 'instance-1:1']);
});

test('a failed sub-orchestration throws TaskFailedError with the child failure inside', () => {
  let caught: unknown;
  const s = new Scenario({
    *Parent(ctx: OrchestrationContext) {
      try {
        yield ctx.callSubOrchestrator('Child');
      } catch (error) {
        caught = error;
        throw error;
      }
    },
  });
  s.start('Parent');
  const result = s.step([newSubOrchestrationInstanceFailedEvent(0, { errorType: 'RangeError', errorMessage: 'too far' })]);
  assert.ok(caught instanceof TaskFailedError);
  assert.equal(caught.message, "sub-orchestration 'Child' (task 0) failed: too far");
  assert.equal(result.status, 'Failed');
  assert.equal(result.failureDetails!.errorType, 'TaskFailedError');
  assert.deepEqual(result.failureDetails!.innerFailure, { errorType: 'RangeError', errorMessage: 'too far' });
});

test('a completed sub-orchestration without output resolves to undefined', () => {
  const s = new Scenario({ *P(ctx: OrchestrationContext) { const r: unknown = yield ctx.callSubOrchestrator('C'); return r === undefined; } });
  s.start('P');
  assert.equal(s.step([newSubOrchestrationInstanceCompletedEvent(0)]).output, 'true');
});
