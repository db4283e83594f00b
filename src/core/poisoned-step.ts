/**
 * RELIABILITY.md T18: a step that keeps failing to commit ends the execution as Failed without running the
 * code again, since running it may be what kills the worker. Like a termination, the new events are
 * consumed and dropped; the history keeps its start.
 */
import { PoisonedStepError, toFailureDetails } from './failure.js';
import type { ExecutionCompletedEvent } from './history.js';
import { endingStepEvents } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult } from './step.js';

/** What a poisoned step needs of a step's input: it runs no code. */
export type PoisonedStepInput = Pick<OrchestrationStepInput, 'instanceId' | 'pastEvents' | 'newEvents' | 'now'>;

export function poisonedStep(input: PoisonedStepInput, failedAttempts: number, customStatus: string | undefined): OrchestrationStepResult {
  // A stack trace of taskhub's own frames would say nothing to the reader of the failure.
  const { stackTrace: _, ...failure } = toFailureDetails(new PoisonedStepError(input.instanceId, failedAttempts));
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
