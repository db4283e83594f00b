/**
 * RELIABILITY.md T18: a step that keeps failing to commit ends the execution as Failed without running the
 * code again, since running it may be what kills the worker. Like a termination, the new events are
 * consumed and dropped; the history keeps its start.
 */
import { PoisonedStepError, toFailureDetails } from './failure.js';
import type { ExecutionCompletedEvent, HistoryEvent } from './history.js';
import { orchestratorCompleted, orchestratorStarted } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult } from './step.js';

export function poisonedStep(input: OrchestrationStepInput, failedAttempts: number, customStatus: string | undefined): OrchestrationStepResult {
  const failure = toFailureDetails(new PoisonedStepError(input.instanceId, failedAttempts));
  delete failure.stackTrace;
  const started = input.pastEvents.some((event) => event.type === 'ExecutionStarted');
  const start = started ? undefined : input.newEvents.find((event) => event.type === 'ExecutionStarted');
  const failed: ExecutionCompletedEvent = { type: 'ExecutionCompleted', eventId: -1, timestamp: input.now, orchestrationStatus: 'Failed', failureDetails: failure };
  const newEvents: HistoryEvent[] = [orchestratorStarted(input.now), ...(start ? [start] : []), failed, orchestratorCompleted(input.now)];
  const result: OrchestrationStepResult = {
    newEvents,
    replaceHistory: false,
    work: [],
    status: 'Failed',
    output: JSON.stringify(failure),
    failureDetails: failure,
  };
  if (customStatus !== undefined) result.customStatus = customStatus;
  return result;
}
