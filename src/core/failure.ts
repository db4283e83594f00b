/** Errors as orchestrator code sees them, and their conversion to the FailureDetails stored in history. */
import type { FailureDetails } from './history.js';

/**
 * Thrown into orchestrator code when an activity or sub-orchestration it waits on fails (S-MODEL-5).
 * `failureDetails` is what the failed task reported: its error type, message, stack and details.
 */
export class TaskFailedError extends Error {
  constructor(
    readonly taskKind: 'activity' | 'sub-orchestration',
    readonly taskName: string,
    readonly taskId: number,
    readonly failureDetails: FailureDetails,
  ) {
    super(`${taskKind} '${taskName}' (task ${taskId}) failed: ${failureDetails.errorMessage}`);
    this.name = 'TaskFailedError';
  }
}

/** The code did not schedule what the history recorded (S-MODEL-3). It fails the instance; code cannot catch it. */
export class NonDeterminismError extends Error {
  constructor(
    readonly instanceId: string,
    readonly taskId: number,
    /** The recorded action, e.g. "TaskScheduled 'A'", or "no action". */
    readonly recorded: string,
    /** What the code produced at that task id, in the same words. */
    readonly produced: string,
    /**
     * The sequence number (0-based position, as getHistory pages count) of the recorded event that
     * disagrees; for an action the history lacks, of the OrchestratorCompleted ending the step it belongs to.
     * Absent when the error is rebuilt from a failure recorded before the sequence was kept.
     */
    readonly historySequence?: number,
  ) {
    const at = historySequence === undefined ? `task ${taskId}` : `task ${taskId} (history sequence ${historySequence})`;
    super(`non-deterministic orchestration '${instanceId}' at ${at}: history has ${recorded}, code produced ${produced}`);
    this.name = 'NonDeterminismError';
  }

  /** The same facts as data: stored as the failure's `details`, so tools can rebuild the error from history. */
  get details(): { instanceId: string; taskId: number; historySequence?: number; recorded: string; produced: string } {
    const place = this.historySequence === undefined ? {} : { historySequence: this.historySequence };
    return { instanceId: this.instanceId, taskId: this.taskId, ...place, recorded: this.recorded, produced: this.produced };
  }
}

/**
 * The execution's history would outgrow its hard limit (docs/reliability.md, T20). Every step replays the whole
 * history, so an orchestration that loops without continueAsNew would slow down without end; it fails
 * with this error instead, and code cannot catch it.
 */
export class HistoryLimitError extends Error {
  constructor(
    readonly instanceId: string,
    /** The history's length had the step been committed. */
    readonly events: number,
    readonly limit: number,
  ) {
    super(
      `orchestration '${instanceId}' failed: this step would grow its history to ${events} events, beyond the limit of ${limit}; ` +
        'an orchestration that loops for long should call continueAsNew to start again with an empty history',
    );
    this.name = 'HistoryLimitError';
  }

  get details(): { instanceId: string; events: number; limit: number } {
    return { instanceId: this.instanceId, events: this.events, limit: this.limit };
  }
}

/**
 * A step was claimed this many times without ever being committed (docs/reliability.md, T18): its workers died
 * or stalled, or the engine failed on it. The instance fails instead of being retried without end.
 */
export class PoisonedStepError extends Error {
  constructor(
    readonly instanceId: string,
    readonly failedAttempts: number,
  ) {
    super(
      `orchestration '${instanceId}' failed: its next step was attempted ${failedAttempts} times without being committed ` +
        '(the workers running it died or stalled, or the engine failed on it); the step was not run again',
    );
    this.name = 'PoisonedStepError';
  }

  get details(): { instanceId: string; failedAttempts: number } {
    return { instanceId: this.instanceId, failedAttempts: this.failedAttempts };
  }
}

/**
 * The orchestrator code ran longer than the step time limit in one step without yielding (an endless loop,
 * or heavy work that belongs in an activity). The worker stopped it; the instance fails rather than run it
 * again, which would block the worker as long again.
 */
export class StepTimeoutError extends Error {
  constructor(
    readonly instanceId: string,
    readonly orchestrator: string,
    readonly limitMs: number,
  ) {
    super(
      `orchestration '${instanceId}' failed: the code of orchestrator '${orchestrator}' ran for more than ${limitMs} ms in one step ` +
        'without yielding, and was stopped (an endless loop? orchestrator code must be quick and deterministic: do long work in an activity)',
    );
    this.name = 'StepTimeoutError';
  }

  get details(): { instanceId: string; orchestrator: string; limitMs: number } {
    return { instanceId: this.instanceId, orchestrator: this.orchestrator, limitMs: this.limitMs };
  }
}

/** Converts anything thrown into the failure details stored in history and shown as the instance's output. */
export function toFailureDetails(thrown: unknown, depth = 0): FailureDetails {
  if (!(thrown instanceof Error)) return { errorType: 'Error', errorMessage: describeThrown(thrown) };
  const details: FailureDetails = { errorType: thrown.name, errorMessage: thrown.message };
  if (thrown.stack !== undefined) details.stackTrace = thrown.stack;
  const extra = detailsJson((thrown as { details?: unknown }).details);
  if (extra !== undefined) details.details = extra;
  if (thrown instanceof TaskFailedError) details.innerFailure = thrown.failureDetails;
  // Causes nest (and may loop: a.cause = a); a few levels say enough.
  else if (thrown.cause !== undefined && depth < MAX_CAUSE_DEPTH) details.innerFailure = toFailureDetails(thrown.cause, depth + 1);
  return details;
}

const MAX_CAUSE_DEPTH = 5;

function describeThrown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** An error's `details` as JSON; a value JSON cannot hold is described rather than lost. */
function detailsJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.stringify(value) ?? JSON.stringify(describeThrown(value));
  } catch {
    return JSON.stringify(describeThrown(value));
  }
}
