/**
 * T13, the replay determinism gate: every recorded history replays against today's orchestrators and
 * engine; changed orchestrators that running instances could not replay raise NonDeterminismError naming
 * the instance, the task id and both actions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext, OrchestratorFunction } from '../../src/core/context.js';
import { NonDeterminismError } from '../../src/core/failure.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { replayHistory } from '../../src/testing/replay-history.js';
import { goldenHistories } from './golden/index.js';
import { orchestrators } from './orchestrators.js';

function replay(golden: { instanceId: string; history: readonly HistoryEvent[] }, changes: Record<string, OrchestratorFunction> = {}): void {
  const code = { ...orchestrators, ...changes };
  replayHistory({ instanceId: golden.instanceId, history: golden.history, resolveOrchestrator: (name) => code[name] });
}

function assertNonDeterminism(run: () => void, expected: { instanceId: string; taskId: number; recorded: string | RegExp; produced: string | RegExp }): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof NonDeterminismError, String(error));
    assert.equal(error.instanceId, expected.instanceId);
    assert.equal(error.taskId, expected.taskId);
    assert.match(error.recorded, typeof expected.recorded === 'string' ? new RegExp(`^${escape(expected.recorded)}$`) : expected.recorded);
    assert.match(error.produced, typeof expected.produced === 'string' ? new RegExp(`^${escape(expected.produced)}$`) : expected.produced);
    assert.match(error.message, new RegExp(`'${expected.instanceId}' at task ${expected.taskId} \\(history sequence \\d+\\): history has `));
    assert.equal(typeof error.historySequence, 'number');
    return true;
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

for (const [name, golden] of Object.entries(goldenHistories)) {
  test(`the golden history '${name}' replays against the current code`, () => {
    replay(golden);
  });
}

test('T13: reordered activities', () => {
  assertNonDeterminism(() => replay(goldenHistories.helloSequence, {
    *E1_HelloSequence(ctx: OrchestrationContext) {
      const seattle: unknown = yield ctx.callActivity('E1_SayHello', 'Seattle');
      const tokyo: unknown = yield ctx.callActivity('E1_SayHello', 'Tokyo');
      return [tokyo, seattle];
    },
  }), { instanceId: 'golden-hello', taskId: 0, recorded: `TaskScheduled 'E1_SayHello' with input "Tokyo"`, produced: `TaskScheduled 'E1_SayHello' with input "Seattle"` });
});

test('T13: renamed activity', () => {
  assertNonDeterminism(() => replay(goldenHistories.fanOutFanIn, {
    *FanOutFanIn(ctx: OrchestrationContext, n = 10) {
      const tasks = [];
      for (let i = 1; i <= n; i++) tasks.push(ctx.callActivity<number>(i === 2 ? 'Sqr' : 'Square', i));
      return yield* tasks[0]!;
    },
  }), { instanceId: 'golden-fan-out', taskId: 1, recorded: "TaskScheduled 'Square'", produced: "TaskScheduled 'Sqr'" });
});

test('T13: added timer, in the middle and after the last recorded action', () => {
  assertNonDeterminism(() => replay(goldenHistories.helloSequence, {
    *E1_HelloSequence(ctx: OrchestrationContext) {
      const tokyo: unknown = yield ctx.callActivity('E1_SayHello', 'Tokyo');
      yield ctx.createTimer(ctx.currentUtcDateTime);
      return [tokyo];
    },
  }), { instanceId: 'golden-hello', taskId: 1, recorded: "TaskScheduled 'E1_SayHello'", produced: 'TimerCreated' });
  assertNonDeterminism(() => replay(goldenHistories.helloSequence, {
    *E1_HelloSequence(ctx: OrchestrationContext) {
      const out: unknown[] = [];
      for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.callActivity('E1_SayHello', city));
      yield ctx.createTimer(ctx.currentUtcDateTime);
      return out;
    },
  }), { instanceId: 'golden-hello', taskId: 3, recorded: 'ExecutionCompleted (Completed)', produced: 'TimerCreated' });
});

test('T13: changed input', () => {
  assertNonDeterminism(() => replay(goldenHistories.parentOfChildren, {
    *ParentOfChildren(ctx: OrchestrationContext) {
      const tokyo: unknown = yield ctx.callSubOrchestrator('HelloWorld', 'TOKYO');
      return [tokyo];
    },
  }), { instanceId: 'golden-parent', taskId: 0, recorded: /with input "Tokyo"$/, produced: /with input "TOKYO"$/ });
});

test('T13: Math.random() before an id', () => {
  assertNonDeterminism(() => replay(goldenHistories.parentOfChildren, {
    *ParentOfChildren(ctx: OrchestrationContext) {
      const childId = `child-${Math.random().toString(16).slice(2)}`;
      const tokyo: unknown = yield ctx.callSubOrchestrator('HelloWorld', 'Tokyo', childId);
      return [tokyo];
    },
  }), {
    instanceId: 'golden-parent',
    taskId: 0,
    recorded: "SubOrchestrationInstanceCreated 'HelloWorld' (instance 'golden-parent:0')",
    produced: /^SubOrchestrationInstanceCreated 'HelloWorld' \(instance 'child-[0-9a-f]+'\)$/,
  });
});

test('T13: a removed action in a history that is still running', () => {
  assertNonDeterminism(() => replay(goldenHistories.helloSequenceRunning, {
    *E1_HelloSequence(ctx: OrchestrationContext) {
      return yield* ctx.callActivity<string>('E1_SayHello', 'Tokyo');
    },
  }), { instanceId: 'golden-hello-running', taskId: 1, recorded: "TaskScheduled 'E1_SayHello'", produced: 'ExecutionCompleted (Completed)' });
});

test('T13: a change after a rewind is caught in the rewritten history', () => {
  assertNonDeterminism(() => replay(goldenHistories.pipelineRewound, {
    *Pipeline(ctx: OrchestrationContext) {
      const rows = yield* ctx.callActivity<number>('Extract');
      return yield* ctx.callActivity<number>('Load', rows);
    },
  }), { instanceId: 'golden-pipeline', taskId: 1, recorded: 'TimerCreated', produced: 'no action' });
});

test('compatible changes replay cleanly: renamed variables, extra logging', () => {
  replay(goldenHistories.helloSequence, {
    *E1_HelloSequence(ctx: OrchestrationContext) {
      const greetings: unknown[] = [];
      for (const city of ['Tokyo', 'Seattle', 'London']) {
        ctx.log.info(`greeting ${city}`);
        greetings.push(yield ctx.callActivity('E1_SayHello', city));
      }
      return greetings;
    },
  });
});
