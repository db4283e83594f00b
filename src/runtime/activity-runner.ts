/**
 * Runs one claimed activity task and reports its outcome. Activities are at-least-once: a task whose
 * worker dies is claimed again after its lease expires, with the same idempotency key.
 */
import type { ActivityCommitOutcome, ActivityWorkItem, Backend, OutgoingMessage } from '../backend/backend.js';
import type { FailureDetails, InboxEvent } from '../core/history.js';
import { toFailureDetails } from '../core/failure.js';
import { toJson } from '../core/serialize.js';
import type { ActivityContext, ActivityFunction } from '../authoring/definitions.js';
import { withFields, type Logger } from './logger.js';

export interface ActivityRunnerOptions {
  backend: Backend;
  hub: string;
  resolveActivity(name: string): ActivityFunction | undefined;
  leaseMs: number;
  /** A task delivered more times than this fails without running: it may be what kills its workers (T18). */
  maxAttempts: number;
  maxPayloadBytes: number;
  /** An activity that has not settled after this long fails with an ActivityTimeoutError. */
  timeoutMs: number;
  logger: Logger;
  /** Reports the outcome to the store (the worker's completeActivity, which may claim the instance's next step). */
  complete(item: ActivityWorkItem, result: OutgoingMessage): Promise<ActivityCommitOutcome>;
}

export async function runActivity(item: ActivityWorkItem, runner: ActivityRunnerOptions): Promise<void> {
  const logger = withFields(runner.logger, { instanceId: item.instanceId, executionId: item.executionId, taskId: item.taskId });
  const options = { ...runner, logger };
  if (item.attempt > 1 && item.attempt <= options.maxAttempts) {
    logger.warn(`activity '${item.name}' runs again (attempt ${item.attempt}): the worker that had it gave no result before its lease expired`);
  }
  const renewal = startLeaseRenewal(item, options);
  let event: InboxEvent;
  try {
    event = await execute(item, options);
  } finally {
    renewal.stop();
  }
  if (event.type === 'TaskFailed' && item.attempt <= options.maxAttempts) {
    const { errorType, errorMessage } = event.failureDetails;
    logger.warn(`activity '${item.name}' failed (attempt ${item.attempt}): ${errorType}: ${errorMessage}`);
  }
  const message: OutgoingMessage = { instanceId: item.instanceId, executionId: item.executionId, event };
  const outcome = await options.complete(item, message);
  if (!outcome.ok) {
    logger.warn(
      `activity '${item.name}' (attempt ${item.attempt}) finished after its lease was lost; ` +
        'its result was discarded because another worker owns the task now',
    );
  }
}

async function execute(item: ActivityWorkItem, options: ActivityRunnerOptions): Promise<InboxEvent> {
  if (item.attempt > options.maxAttempts) {
    options.logger.error(`activity '${item.name}' was delivered ${item.attempt} times: it fails without running`);
    return failed(item, {
      errorType: 'ActivityAttemptsExceededError',
      errorMessage:
        `activity '${item.name}' (task ${item.taskId}) was delivered ${item.attempt} times, more than the limit of ${options.maxAttempts}, ` +
        'without a result (the workers running it died or stalled); it was not run again',
    });
  }
  const fn = options.resolveActivity(item.name);
  if (!fn) return failed(item, { errorType: 'UnknownActivityError', errorMessage: `activity '${item.name}' is not registered` });
  let input: unknown;
  try {
    input = item.input === undefined ? undefined : JSON.parse(item.input);
  } catch (error) {
    return failed(item, { errorType: 'InvalidInputError', errorMessage: `the input of activity '${item.name}' is not valid JSON: ${String(error)}` });
  }
  const abort = new AbortController();
  const context: ActivityContext = {
    instanceId: item.instanceId,
    taskId: item.taskId,
    name: item.name,
    attempt: item.attempt,
    idempotencyKey: `${item.instanceId}:${item.taskId}`,
    signal: abort.signal,
  };
  const timeout = timeLimit(options.timeoutMs);
  try {
    const settled = await Promise.race([(async () => ({ output: (await fn(input, context)) as unknown }))(), timeout.expired]);
    if (settled === TIMED_OUT) {
      const error = new ActivityTimeoutError(item.name, item.taskId, options.timeoutMs);
      options.logger.warn(`${error.message} (instance '${item.instanceId}')`);
      abort.abort(error);
      return failed(item, { errorType: error.name, errorMessage: error.message });
    }
    const result = toJson(settled.output, `the output of activity '${item.name}'`, options.maxPayloadBytes);
    return { type: 'TaskCompleted', eventId: -1, timestamp: new Date().toISOString(), taskScheduledId: item.taskId, result };
  } catch (error) {
    return failed(item, toFailureDetails(error));
  } finally {
    timeout.clear();
  }
}

const TIMED_OUT = Symbol('timed out');

function timeLimit(ms: number): { expired: Promise<typeof TIMED_OUT>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return { expired, clear: () => clearTimeout(timer) };
}

/**
 * The activity did not settle within the worker's activityTimeoutMs. Its result, should it come, is
 * ignored; its context's `signal` is aborted so that code which listens can stop.
 */
export class ActivityTimeoutError extends Error {
  constructor(activity: string, taskId: number, limitMs: number) {
    super(`activity '${activity}' (task ${taskId}) did not finish within ${limitMs} ms (activityTimeoutMs) and was abandoned; a late result will be ignored`);
    this.name = 'ActivityTimeoutError';
  }
}

function failed(item: ActivityWorkItem, failureDetails: FailureDetails): InboxEvent {
  return { type: 'TaskFailed', eventId: -1, timestamp: new Date().toISOString(), taskScheduledId: item.taskId, failureDetails };
}

/** Renews the lease at a third of its length while the activity runs, so long activities keep their task. */
function startLeaseRenewal(item: ActivityWorkItem, options: ActivityRunnerOptions): { stop(): void } {
  const interval = setInterval(() => {
    options.backend.renewActivityLease(options.hub, item, options.leaseMs).then(
      (held) => {
        if (!held) options.logger.warn(`activity '${item.name}' lost its lease while running: another worker may run it again`);
      },
      (error: unknown) => options.logger.warn(`renewing the lease of activity '${item.name}' failed: ${String(error)}`),
    );
  }, Math.max(options.leaseMs / 3, 50));
  interval.unref();
  return { stop: () => clearInterval(interval) };
}
