/**
 * T20 of docs/reliability.md: the history of one execution is bounded. Each step replays it all, so a step that
 * would take it past the hard limit fails the execution instead, and the step that reaches the soft limit
 * warns while there is still room to add continueAsNew.
 */
import { HistoryLimitError } from './failure.js';
import type { InboxEvent } from './history.js';
import type { OrchestrationRun } from './orchestration-run.js';
import { stepResult } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult } from './step.js';

export function withinHistoryLimits(
  input: OrchestrationStepInput,
  run: OrchestrationRun,
  consumed: readonly InboxEvent[],
  result: OrchestrationStepResult,
): OrchestrationStepResult {
  const limits = input.historyLimits;
  if (!limits) return result;
  const before = input.pastEvents.length;
  const after = before + result.newEvents.length;
  const ongoing = result.status === 'Running' || result.status === 'Suspended';
  if (ongoing && after > limits.failAt) {
    run.fail(new HistoryLimitError(input.instanceId, after, limits.failAt));
    return stepResult(run, input.now, consumed);
  }
  if (ongoing && before < limits.warnAt && after >= limits.warnAt) {
    input.logger?.warn(
      `orchestration '${input.instanceId}' has ${after} history events; at ${limits.failAt} it fails: ` +
        'an orchestration that loops for long should call continueAsNew',
    );
  }
  return result;
}
