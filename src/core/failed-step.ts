/**
 * Steps that end the execution as Failed without running the code: a step that kept failing to commit (a
 * poison step), since running it may be what kills the worker, and a step whose code overran the
 * step time limit, which would only overrun it again. Like a termination, the new events are consumed and
 * dropped; the history keeps its start.
 */
import { PoisonedStepError, StepTimeoutError, toFailureDetails } from './failure.js';
import type { ExecutionCompletedEvent } from './history.js';
import { endingStepEvents } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult } from './step.js';

/** What such a step needs of a step's input: it runs no code. */
export type FailedStepInput = Pick<OrchestrationStepInput, 'instanceId' | 'pastEvents' | 'newEvents' | 'now'>;

export function poisonedStep(input: FailedStepInput, failedAttempts: number, customStatus: string | undefined): OrchestrationStepResult {
  return failedStep(input, new PoisonedStepError(input.instanceId, failedAttempts), customStatus);
}

export function timedOutStep(input: FailedStepInput, orchestrator: string, limitMs: number, customStatus: string | undefined): OrchestrationStepResult {
  return failedStep(input, new StepTimeoutError(input.instanceId, orchestrator, limitMs), customStatus);
}

function failedStep(input: FailedStepInput, error: Error, customStatus: string | undefined): OrchestrationStepResult {
  // A stack trace of taskhub's own frames would say nothing to the reader of the failure.
  const { stackTrace: _, ...failure } = toFailureDetails(error);
  const failed: ExecutionCompletedEvent = { type: 'ExecutionCompleted', eventId: -1, timestamp: input.now, orchestrationStatus: 'Failed', failureDetails: failure };
  const result: OrchestrationStepResult = {
    newEvents: endingStepEvents(input.pastEvents, input.newEvents, input.now, failed),
    replaceHistory: false,
    work: [],
    status: 'Failed',
    output: JSON.stringify(failure),
    failureDetails: failure,
  };
  if (customStatus !== undefined) result.customStatus = customStatus;
  return result;
}
