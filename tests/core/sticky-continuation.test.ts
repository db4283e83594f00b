/**
 * Sticky execution (docs/adr/0028-sticky-execution.md): a run that settled a committed step continues the
 * next step exactly as a replay of the whole history would. Every golden history is stepped both ways, step
 * by step, and the results must be equal; a step that ends the execution leaves nothing to continue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOrchestrationStep } from '../../src/core/executor.js';
import type { OrchestrationRun } from '../../src/core/orchestration-run.js';
import type { OrchestrationContext, OrchestratorFunction } from '../../src/core/context.js';
import type { HistoryEvent, InboxEvent } from '../../src/core/history.js';
import type { OrchestrationStepInput } from '../../src/core/step.js';
import { newExecutionStartedEvent } from '../../src/testing/history-builders.js';
import { splitSteps } from '../../src/testing/replay-history.js';
import { goldenHistories } from '../replay/golden/index.js';
import { orchestrators } from '../replay/orchestrators.js';

const INBOX_TYPES = new Set<HistoryEvent['type']>([
  'ExecutionStarted', 'ExecutionTerminated', 'ExecutionSuspended', 'ExecutionResumed', 'ExecutionRewound',
  'TaskCompleted', 'TaskFailed', 'SubOrchestrationInstanceCompleted', 'SubOrchestrationInstanceFailed', 'TimerFired', 'EventRaised',
]);

function input(instanceId: string, code: Record<string, OrchestratorFunction>, past: readonly HistoryEvent[], newEvents: InboxEvent[], now: string): OrchestrationStepInput {
  return { instanceId, pastEvents: past, newEvents, now, resolveOrchestrator: (name) => code[name], maxPayloadBytes: 1 << 20 };
}


/** Steps a recorded history's inbox events twice: replaying the past each time, and continuing one settled run. Returns how many steps were continued. */
function stepBothWays(instanceId: string, history: readonly HistoryEvent[], code: Record<string, OrchestratorFunction> = orchestrators): number {
  let past: HistoryEvent[] = [];
  let cached: OrchestrationRun | undefined;
  let continued = 0;
  for (const recorded of splitSteps(history)) {
    const inbox = recorded.filter((event): event is InboxEvent => INBOX_TYPES.has(event.type));
    if (inbox.length === 0) {
      past = [...past, ...recorded];
      cached = undefined;
      continue;
    }
    const now = recorded[0]!.timestamp;
    const replayed = runOrchestrationStep(input(instanceId, code, past, inbox, now));
    if (cached) continued++;
    const fromCache = runOrchestrationStep(input(instanceId, code, past, inbox, now), cached);
    assert.deepEqual(fromCache.result, replayed.result, `step ${continued} of '${instanceId}' from the cached run`);
    const { result } = replayed;
    past = result.replaceHistory ? [...result.newEvents] : [...past, ...result.newEvents];
    cached = fromCache.run;
    cached?.settleStep(result.replaceHistory ? [] : result.newEvents);
    // A rewind's run is not a continuation of the past: the worker replays the rewritten history.
    if (result.replaceHistory) cached = undefined;
    if (cached) {
      assert.ok(cached.isContinuable());
      assert.equal(cached.history.length, past.length);
    }
  }
  return continued;
}

for (const [name, golden] of Object.entries(goldenHistories)) {
  test(`the golden history '${name}' steps the same from a cached run as from a replay`, () => {
    stepBothWays(golden.instanceId, golden.history);
  });
}

test('a hello sequence continues three of its four steps from the cached run', () => {
  assert.equal(stepBothWays(goldenHistories.helloSequence.instanceId, goldenHistories.helloSequence.history), 3);
});

test('a step that ends the execution leaves no run to continue', () => {
  const code: Record<string, OrchestratorFunction> = {
    *Done(ctx: OrchestrationContext) {
      yield ctx.callActivity('A');
      return 'done';
    },
  };
  const first = runOrchestrationStep(input('ends', code, [], [newExecutionStartedEvent('Done')], '2024-05-01T10:00:00.000Z'));
  const run = first.run!;
  run.settleStep(first.result.newEvents);
  const completion: InboxEvent = { type: 'TaskCompleted', eventId: -1, timestamp: '2024-05-01T10:00:01.000Z', taskScheduledId: 0 };
  const last = runOrchestrationStep(input('ends', code, first.result.newEvents, [completion], '2024-05-01T10:00:02.000Z'), run);
  assert.equal(last.result.status, 'Completed');
  assert.equal(last.run, undefined);
});

test('a continued step runs only the new step: tags set and log lines are those of the new step, not of replayed ones', () => {
  const lines: string[] = [];
  const code: Record<string, OrchestratorFunction> = {
    *Tagged(ctx: OrchestrationContext) {
      ctx.setTag('phase', 'one');
      ctx.log.info('first');
      yield ctx.callActivity('A');
      ctx.setTag('phase', 'two');
      ctx.log.info('second');
      yield ctx.callActivity('B');
      return 'ok';
    },
  };
  const logger = { info: (line: string) => lines.push(line), warn: () => undefined, error: () => undefined };
  const first = runOrchestrationStep({ ...input('tags', code, [], [newExecutionStartedEvent('Tagged')], '2024-05-01T10:00:00.000Z'), logger });
  assert.deepEqual(first.result.tagChanges, { set: { phase: 'one' }, remove: [] });
  const run = first.run!;
  run.settleStep(first.result.newEvents);
  const completion: InboxEvent = { type: 'TaskCompleted', eventId: -1, timestamp: '2024-05-01T10:00:01.000Z', taskScheduledId: 0 };
  const second = runOrchestrationStep({ ...input('tags', code, first.result.newEvents, [completion], '2024-05-01T10:00:02.000Z'), logger }, run);
  assert.deepEqual(second.result.tagChanges, { set: { phase: 'two' }, remove: [] });
  run.settleStep(second.result.newEvents);
  assert.deepEqual(run.tags.snapshot(), { phase: 'two' }, 'the settled run counts the tags as a replay does');
  assert.deepEqual(lines, ['first', 'second']);
  assert.deepEqual(second.result.work, [{ kind: 'activity', taskId: 1, name: 'B' }]);
});
