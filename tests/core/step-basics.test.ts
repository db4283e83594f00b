import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import { executeOrchestrationStep } from '../../src/core/executor.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { Task } from '../../src/core/task.js';
import {
  newEventRaisedEvent,
  newExecutionStartedEvent,
  newOrchestratorCompletedEvent,
  newOrchestratorStartedEvent,
  newTaskCompletedEvent,
  newTaskScheduledEvent,
} from '../../src/testing/history-builders.js';
import { Scenario, outputOf } from './harness.js';

const sayHello = (name: string) => `Hello ${name}!`;

function* helloSequence(ctx: OrchestrationContext) {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.callActivity('E1_SayHello', city));
  return out;
}

test('a sequence schedules one activity per step and completes with the results in order', () => {
  const s = new Scenario({ E1_HelloSequence: helloSequence });
  const first = s.start('E1_HelloSequence');
  assert.equal(first.status, 'Running');
  assert.deepEqual(first.work, [{ kind: 'activity', taskId: 0, name: 'E1_SayHello', input: '"Tokyo"' }]);
  const done = s.drive({ E1_SayHello: sayHello });
  assert.equal(done.status, 'Completed');
  assert.deepEqual(outputOf(done), ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  const scheduled = s.history.filter((e) => e.type === 'TaskScheduled');
  assert.deepEqual(scheduled.map((e) => e.eventId), [0, 1, 2]);
});

test('the fan-out of two activities produces exactly the history of the spec (S-EVENTS)', () => {
  const s = new Scenario({
    *FanOut(ctx: OrchestrationContext) {
      const results: number[] = yield Task.all([ctx.callActivity('Square', 1), ctx.callActivity('Square', 2)]);
      return results[0]! + results[1]!;
    },
  });
  s.start('FanOut');
  s.drive({ Square: (n: number) => n * n });
  assert.deepEqual(s.types(), [
    'OrchestratorStarted', 'ExecutionStarted', 'TaskScheduled', 'TaskScheduled', 'OrchestratorCompleted',
    'OrchestratorStarted', 'TaskCompleted', 'OrchestratorCompleted',
    'OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted',
  ]);
  assert.equal(s.last.output, '5');
});

test('a step appends OrchestratorStarted, the inbox events unchanged, new actions stamped now, OrchestratorCompleted', () => {
  const s = new Scenario({ E1_HelloSequence: helloSequence });
  s.start('E1_HelloSequence');
  const completion = newTaskCompletedEvent(0, 'Hello Tokyo!', '2024-05-01T09:59:59.000Z');
  const now = s.now;
  const result = s.step([completion]);
  assert.deepEqual(result.newEvents, [
    { type: 'OrchestratorStarted', eventId: -1, timestamp: now },
    completion,
    { type: 'TaskScheduled', eventId: 1, timestamp: now, name: 'E1_SayHello', input: '"Seattle"' },
    { type: 'OrchestratorCompleted', eventId: -1, timestamp: now },
  ]);
  assert.equal(result.replaceHistory, false);
});

test('a step is a pure function of its input: running it twice gives the same result', () => {
  const s = new Scenario({ E1_HelloSequence: helloSequence });
  s.start('E1_HelloSequence');
  const input = {
    instanceId: 'instance-1',
    pastEvents: s.history,
    newEvents: [newTaskCompletedEvent(0, 'Hello Tokyo!')],
    now: '2024-05-01T11:00:00.000Z',
    resolveOrchestrator: () => helloSequence,
    maxPayloadBytes: 1000,
  };
  assert.deepEqual(executeOrchestrationStep(input), executeOrchestrationStep(input));
});

test('an instance not started yet stays Pending and leaves its messages alone', () => {
  const result = executeOrchestrationStep({
    instanceId: 'p',
    pastEvents: [],
    newEvents: [newEventRaisedEvent('Early', 1)],
    now: '2024-05-01T10:00:00.000Z',
    resolveOrchestrator: () => undefined,
    maxPayloadBytes: 1000,
  });
  assert.deepEqual(result, { newEvents: [], replaceHistory: false, work: [], status: 'Pending' });
});

test('an event that arrived before the start waits in the buffer for the orchestrator', () => {
  const s = new Scenario({
    *Early(ctx: OrchestrationContext) {
      return yield* ctx.waitForExternalEvent('Go');
    },
  });
  const result = s.step([newEventRaisedEvent('Go', 'early bird'), newExecutionStartedEvent('Early')]);
  assert.equal(result.status, 'Completed');
  assert.equal(result.output, '"early bird"');
  assert.deepEqual(s.types().slice(0, 3), ['OrchestratorStarted', 'ExecutionStarted', 'EventRaised']);
});

test('currentUtcDateTime is the time of the latest OrchestratorStarted, on first run and on replay', () => {
  const seen: string[] = [];
  const s = new Scenario({
    *Clock(ctx: OrchestrationContext) {
      seen.push(`${ctx.currentUtcDateTime.toISOString()} ${ctx.isReplaying}`);
      yield ctx.callActivity('A');
      seen.push(`${ctx.currentUtcDateTime.toISOString()} ${ctx.isReplaying}`);
      yield ctx.callActivity('B');
      seen.push(`${ctx.currentUtcDateTime.toISOString()} ${ctx.isReplaying}`);
    },
  });
  const t1 = s.now;
  s.start('Clock');
  const t2 = s.now;
  s.step([newTaskCompletedEvent(0)]);
  const t3 = s.now;
  seen.length = 0;
  s.step([newTaskCompletedEvent(1)]);
  assert.deepEqual(seen, [`${t1} true`, `${t2} true`, `${t3} false`]);
  assert.equal(s.last.status, 'Completed');
});

test('context.log writes only when not replaying', () => {
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
  const s = new Scenario(
    {
      *Logs(ctx: OrchestrationContext) {
        ctx.log.info('starting');
        yield ctx.callActivity('A');
        ctx.log.warn('after A');
        yield ctx.callActivity('B');
        ctx.log.error('after B');
      },
    },
    { logger },
  );
  s.start('Logs');
  s.step([newTaskCompletedEvent(0)]);
  s.step([newTaskCompletedEvent(1)]);
  assert.deepEqual(lines, ['info starting', 'warn after A', 'error after B']);
});

test('newGuid is a UUID v5 of instance id, step time and a counter: the same on replay, unique within the execution', () => {
  const guids: string[][] = [];
  const s = new Scenario({
    *Guids(ctx: OrchestrationContext) {
      const first = [ctx.newGuid(), ctx.newGuid()];
      guids.push(first);
      yield ctx.callActivity('A');
      guids.push([...first, ctx.newGuid()]);
      return [...first, ctx.newGuid()];
    },
  });
  s.start('Guids');
  s.step([newTaskCompletedEvent(0)]);
  const [firstRun, replayed] = guids;
  assert.deepEqual(replayed!.slice(0, 2), firstRun);
  const all = JSON.parse(s.last.output!) as string[];
  assert.equal(new Set(all).size, 3);
  for (const guid of all) assert.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const other = new Scenario({ Guids: s.orchestrators.Guids! }, { instanceId: 'instance-2' });
  other.start('Guids');
  assert.notDeepEqual(guids.at(-1)!.slice(0, 2), firstRun);
});

test('an orchestrator may be a plain function returning a value', () => {
  const s = new Scenario({ Plain: (_ctx: OrchestrationContext, input: { n: number }) => input.n * 2 });
  const result = s.start('Plain', { n: 21 });
  assert.equal(result.status, 'Completed');
  assert.equal(result.output, '42');
});

test('the input is given to the function and by getInput; name, instanceId and parentInstanceId are on the context', () => {
  let seen: unknown;
  const s = new Scenario({
    Who: (ctx: OrchestrationContext, input: string) => {
      seen = { input, again: ctx.getInput<string>(), name: ctx.name, id: ctx.instanceId, parent: ctx.parentInstanceId };
    },
  });
  const result = s.start('Who', 'x', { instanceId: 'boss', executionId: 'e', name: 'Boss', taskScheduledId: 3 });
  assert.deepEqual(seen, { input: 'x', again: 'x', name: 'Who', id: 'instance-1', parent: 'boss' });
  assert.equal(result.status, 'Completed');
  assert.equal(result.output, undefined);
  assert.equal(result.newEvents.at(-2)!.type, 'ExecutionCompleted');
});

test('an unknown orchestrator fails the instance with UnknownOrchestratorError', () => {
  const s = new Scenario({});
  const result = s.start('Nope');
  assert.equal(result.status, 'Failed');
  assert.equal(result.failureDetails?.errorType, 'UnknownOrchestratorError');
  assert.equal(result.failureDetails?.errorMessage, "orchestrator 'Nope' is not registered");
  assert.deepEqual(JSON.parse(result.output!), result.failureDetails);
  assert.deepEqual(s.types(), ['OrchestratorStarted', 'ExecutionStarted', 'ExecutionCompleted', 'OrchestratorCompleted']);
});

test('an async orchestrator is refused with a clear message', () => {
  const s = new Scenario({ Async: async () => 1 });
  const result = s.start('Async');
  assert.equal(result.status, 'Failed');
  assert.match(result.failureDetails!.errorMessage, /returned a Promise.*function\*/);
});

test('yielding something that is not a task throws into the orchestrator, which may catch it', () => {
  const s = new Scenario({
    *Odd() {
      try {
        yield 42 as never;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  const result = s.start('Odd');
  assert.equal(result.status, 'Completed');
  assert.match(JSON.parse(result.output!), /yielded a number: yield only tasks/);
});

test('duplicate or stale inbox events are consumed without being appended', () => {
  const s = new Scenario({ E1_HelloSequence: helloSequence });
  s.start('E1_HelloSequence');
  s.step([newTaskCompletedEvent(0, 'Hello Tokyo!')]);
  const before = s.history.length;
  const duplicate = s.step([newTaskCompletedEvent(0, 'Hello Tokyo!'), newTaskCompletedEvent(7, 'nobody asked'), newExecutionStartedEvent('E1_HelloSequence')]);
  assert.deepEqual(duplicate.newEvents, []);
  assert.deepEqual(duplicate.work, []);
  assert.equal(duplicate.status, 'Running');
  assert.equal(s.history.length, before);
  const sameBatch = s.step([newTaskCompletedEvent(1, 'Hello Seattle!'), newTaskCompletedEvent(1, 'again')]);
  assert.equal(sameBatch.newEvents.filter((e) => e.type === 'TaskCompleted').length, 1);
});

test('events built with the history builders replay like recorded ones', () => {
  const past: HistoryEvent[] = [
    newOrchestratorStartedEvent('2024-05-01T10:00:00.000Z'),
    newExecutionStartedEvent('E1_HelloSequence'),
    newTaskScheduledEvent(0, 'E1_SayHello', 'Tokyo'),
    newOrchestratorCompletedEvent(),
    newOrchestratorStartedEvent('2024-05-01T10:00:01.000Z'),
    newTaskCompletedEvent(0, 'Hello Tokyo!'),
    newTaskScheduledEvent(1, 'E1_SayHello', 'Seattle'),
    newOrchestratorCompletedEvent(),
  ];
  const result = executeOrchestrationStep({
    instanceId: 'i',
    pastEvents: past,
    newEvents: [newTaskCompletedEvent(1, 'Hello Seattle!')],
    now: '2024-05-01T10:00:02.000Z',
    resolveOrchestrator: () => helloSequence,
    maxPayloadBytes: 1000,
  });
  assert.deepEqual(result.work, [{ kind: 'activity', taskId: 2, name: 'E1_SayHello', input: '"London"' }]);
});

test('a plain function returning a task is refused: it has to be a generator that yields it', () => {
  const s = new Scenario({ NotAGenerator: (ctx: OrchestrationContext) => ctx.callActivity('A') });
  const result = s.start('NotAGenerator');
  assert.equal(result.status, 'Failed');
  assert.match(result.failureDetails!.errorMessage, /returned a task: make it a generator function/);
});
