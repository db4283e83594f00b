/** T20 of docs/reliability.md: an execution's history is bounded; a warning at the soft limit, a defined failure at the hard one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { FailureDetails } from '../../src/core/history.js';
import type { ReplaySafeLogger } from '../../src/core/step.js';
import { Task } from '../../src/core/task.js';
import { Scenario, outputOf } from './harness.js';

const LIMITS = { warnAt: 20, failAt: 40 };
const echo = { Echo: (n: number) => n };

/** Calls an activity for ever, one after another: four history events a step. */
function* eternal(ctx: OrchestrationContext) {
  for (let i = 0; ; i++) yield ctx.callActivity('Echo', i);
}

/** The same loop done right: three calls per execution, then continue as new, until `until` calls. */
function* renewing(ctx: OrchestrationContext, input: { done: number; until: number }) {
  for (let i = 0; i < 3; i++) yield ctx.callActivity('Echo', input.done + i);
  const done = input.done + 3;
  if (done >= input.until) return done;
  ctx.continueAsNew({ done, until: input.until });
  return undefined;
}

function recordingLogger(): ReplaySafeLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message: string) => warnings.push(message), error: () => undefined };
}

test('a loop without continueAsNew fails with HistoryLimitError at the hard limit, after one warning at the soft one', () => {
  const logger = recordingLogger();
  const s = new Scenario({ Eternal: eternal }, { historyLimits: LIMITS, logger });
  s.start('Eternal');
  const last = s.drive(echo);

  assert.equal(last.status, 'Failed');
  const failure = outputOf(last) as FailureDetails;
  assert.equal(failure.errorType, 'HistoryLimitError');
  assert.match(failure.errorMessage, /beyond the limit of 40; .*continueAsNew/);
  assert.deepEqual(JSON.parse(failure.details!), { instanceId: 'instance-1', events: 44, limit: 40 });
  // The failing step records its input and the failure, and sends nothing.
  assert.deepEqual(last.work, []);
  assert.deepEqual(last.newEvents.map((event) => event.type), ['OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted']);
  assert.equal(s.history.length, 44);
  assert.equal(logger.warnings.length, 1);
  assert.match(logger.warnings[0]!, /orchestration 'instance-1' has 20 history events; at 40 it fails/);
});

test('the same loop with continueAsNew runs far past the limit, and no execution outgrows it', () => {
  const logger = recordingLogger();
  let input: unknown = { done: 0, until: 30 };
  for (let execution = 1; ; execution++) {
    assert.ok(execution <= 10, 'the loop ends after ten executions');
    const s = new Scenario({ Renewing: renewing }, { historyLimits: LIMITS, logger });
    s.start('Renewing', input);
    const last = s.drive(echo);
    assert.ok(s.history.length <= LIMITS.warnAt, `execution ${execution} kept ${s.history.length} events`);
    if (last.status === 'Completed') {
      assert.equal(outputOf(last), 30);
      break;
    }
    assert.equal(last.status, 'ContinuedAsNew');
    input = JSON.parse(last.continuedAsNew!.input!);
  }
  assert.deepEqual(logger.warnings, []);
});

test('a step that would cross the limit at once fails before its work is sent', () => {
  const s = new Scenario(
    {
      *Wide(ctx: OrchestrationContext) {
        return (yield Task.all(Array.from({ length: 50 }, (_, i) => ctx.callActivity<number>('Echo', i)))) as number[];
      },
    },
    { historyLimits: LIMITS },
  );
  const first = s.start('Wide');
  assert.equal(first.status, 'Failed');
  assert.deepEqual(first.work, []);
  assert.equal((outputOf(first) as FailureDetails).errorType, 'HistoryLimitError');
  assert.ok(!s.types().includes('TaskScheduled'));
});

test('a step that ends the execution may cross the limit: the instance completes', () => {
  const s = new Scenario(
    {
      *WideEnd(ctx: OrchestrationContext) {
        yield ctx.callActivity('Echo', 0);
        return 'done';
      },
    },
    { historyLimits: { warnAt: 4, failAt: 7 } },
  );
  s.start('WideEnd');
  const last = s.drive(echo);
  assert.equal(last.status, 'Completed');
  assert.equal(outputOf(last), 'done');
  assert.ok(s.history.length > 7);
});
