/**
 * The retention orchestration (src/runtime/retention.ts) under every order and grouping into steps of its
 * activity's result, policy events and its timer firing: each history it records replays cleanly
 * (src/testing/replay-history.ts), and a step continued from a cached run (docs/adr/0028) gives what a
 * replay gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOrchestrationStep } from '../../src/core/executor.js';
import type { OrchestrationRun } from '../../src/core/orchestration-run.js';
import type { OrchestratorFunction } from '../../src/core/context.js';
import type { HistoryEvent, InboxEvent } from '../../src/core/history.js';
import type { OrchestrationStepInput } from '../../src/core/step.js';
import { newEventRaisedEvent, newExecutionStartedEvent, newTaskCompletedEvent, newTimerFiredEvent } from '../../src/testing/history-builders.js';
import { replayHistory } from '../../src/testing/replay-history.js';
import { RETENTION_INSTANCE_ID, RETENTION_ORCHESTRATOR, RETENTION_POLICY_EVENT, retentionOrchestrator } from '../../src/runtime/retention.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const at = (step: number) => new Date(T0 + step * 1000).toISOString();
const code: Record<string, OrchestratorFunction> = { [RETENTION_ORCHESTRATOR]: retentionOrchestrator as OrchestratorFunction };
const run = { at: at(0), completed: 0, failed: 0, terminated: 0, overLimit: 0 };

const EVENTS: Record<string, InboxEvent> = {
  result: newTaskCompletedEvent(0, run),
  policy: newEventRaisedEvent(RETENTION_POLICY_EVENT, { completedDays: 2 }),
  cleared: newEventRaisedEvent(RETENTION_POLICY_EVENT, {}),
  // The timer's fire time is the first step's time plus the interval (60 s): what the code asks for.
  fired: newTimerFiredEvent(1, new Date(T0 + 60_000 + 1000)),
};

/** Every ordering of `names` cut into consecutive steps in every way. */
function* schedules(names: string[]): Generator<string[][]> {
  for (const order of permutations(names)) {
    for (let cuts = 0; cuts < 1 << (order.length - 1); cuts++) {
      const steps: string[][] = [[order[0]!]];
      for (let i = 1; i < order.length; i++) {
        if (cuts & (1 << (i - 1))) steps.push([order[i]!]);
        else steps.at(-1)!.push(order[i]!);
      }
      yield steps;
    }
  }
}

function* permutations(items: string[]): Generator<string[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...rest];
  }
}

function input(past: readonly HistoryEvent[], newEvents: InboxEvent[], now: string): OrchestrationStepInput {
  return { instanceId: RETENTION_INSTANCE_ID, pastEvents: past, newEvents, now, resolveOrchestrator: (name) => code[name], maxPayloadBytes: 1 << 20 };
}

/** Runs the schedule both ways; returns the last status. */
function play(schedule: string[][]): string {
  const start = newExecutionStartedEvent(RETENTION_ORCHESTRATOR, { policy: { completedDays: 1 }, purgedTotal: 0 }, { timestamp: at(0) });
  let past: HistoryEvent[] = [];
  let cached: OrchestrationRun | undefined;
  let status = '';
  const steps: InboxEvent[][] = [[start], ...schedule.map((names) => names.map((name) => EVENTS[name]!))];
  for (const [index, inbox] of steps.entries()) {
    const replayed = runOrchestrationStep(input(past, inbox, at(index + 1)));
    const continued = runOrchestrationStep(input(past, inbox, at(index + 1)), cached);
    assert.deepEqual(continued.result, replayed.result, `step ${index} of ${JSON.stringify(schedule)} from the cached run`);
    const { result } = replayed;
    status = result.status;
    assert.notEqual(status, 'Failed', `${JSON.stringify(schedule)}: ${result.output}`);
    if (status === 'ContinuedAsNew') {
      assert.deepEqual(result.work, [], 'the cancelled timer is not sent to the next execution');
      return status;
    }
    past = [...past, ...result.newEvents];
    replayHistory({ instanceId: RETENTION_INSTANCE_ID, history: past, resolveOrchestrator: (name) => code[name] });
    cached = continued.run;
    cached?.settleStep(result.newEvents);
  }
  return status;
}

test('the retention orchestration replays cleanly under every interleaving of its result, policy events and timer', () => {
  let played = 0;
  for (const names of [['result', 'policy'], ['result', 'policy', 'cleared'], ['result', 'fired', 'policy'], ['result', 'policy', 'fired']]) {
    for (const schedule of schedules(names)) {
      play(schedule);
      played++;
    }
  }
  assert.ok(played > 40, `${played} schedules`);
});

test('a result and a policy event in one step: the timer is created and cancelled in the step, which continues as new', () => {
  assert.equal(play([['result', 'policy']]), 'ContinuedAsNew');
  assert.equal(play([['policy', 'result']]), 'ContinuedAsNew');
});
