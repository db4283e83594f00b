/**
 * callActivityWithRetry / callSubOrchestratorWithRetry: each failed attempt is followed by a durable
 * timer, then a new attempt with a new task id. Every decision depends only on the failure and on
 * history time, so replay takes the same decisions.
 */
import { InvalidArgumentError } from '../errors.js';
import type { RetryOptions } from './context.js';
import { Task } from './task.js';

/** What a retrying task needs from the engine. */
export interface RetryHost {
  /** Schedules one attempt (a new task id each time). */
  scheduleAttempt(): Task<unknown>;
  scheduleRetryTimer(fireAt: string): Task<unknown>;
  /** The current step's time in epoch milliseconds. */
  now(): number;
  /** A failure the retry machinery absorbed: the code went on, so a rewind must keep it. */
  absorbed(failure: unknown): void;
  /** Attempt `attempt` failed with `failure` and the next one starts at `fireAt` (logged outside replay). */
  retrying(attempt: number, fireAt: string, failure: unknown): void;
}

export function validateRetryOptions(options: RetryOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('retry options are required');
  const positive = (value: unknown, field: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(`retry option ${field} must be a positive number, not ${String(value)}`);
    }
  };
  positive(options.firstRetryIntervalInMilliseconds, 'firstRetryIntervalInMilliseconds');
  if (!Number.isInteger(options.maxNumberOfAttempts) || options.maxNumberOfAttempts < 1) {
    throw new InvalidArgumentError(`retry option maxNumberOfAttempts must be an integer of at least 1, not ${String(options.maxNumberOfAttempts)}`);
  }
  if (options.backoffCoefficient !== undefined) positive(options.backoffCoefficient, 'backoffCoefficient');
  if (options.maxRetryIntervalInMilliseconds !== undefined) positive(options.maxRetryIntervalInMilliseconds, 'maxRetryIntervalInMilliseconds');
  if (options.retryTimeoutInMilliseconds !== undefined) positive(options.retryTimeoutInMilliseconds, 'retryTimeoutInMilliseconds');
  if (options.handle !== undefined && typeof options.handle !== 'function') throw new InvalidArgumentError('retry option handle must be a function');
}

/** Delay before attempt `attempt + 1`, after `attempt` failed attempts: first × coefficient^(attempt−1), capped. */
export function retryDelay(options: RetryOptions, attempt: number): number {
  const delay = options.firstRetryIntervalInMilliseconds * (options.backoffCoefficient ?? 1) ** (attempt - 1);
  return Math.min(delay, options.maxRetryIntervalInMilliseconds ?? Number.POSITIVE_INFINITY);
}

export class RetryableTask<T> extends Task<T> {
  private attempts = 0;
  private readonly firstAttemptAt: number;

  constructor(private readonly options: RetryOptions, private readonly host: RetryHost) {
    super();
    this.firstAttemptAt = host.now();
    this.attempt();
  }

  private attempt(): void {
    this.attempts++;
    this.host.scheduleAttempt().onSettled((attempt) => this.attemptSettled(attempt));
  }

  private attemptSettled(attempt: Task<unknown>): void {
    if (!attempt.isFaulted) {
      this.settle('completed', attempt.result);
      return;
    }
    const failure = attempt.exception;
    let retry: boolean;
    try {
      retry = this.shouldRetry(failure);
    } catch (handleError) {
      // The handle predicate is user code: its error is the task's failure, as if the attempt had thrown it.
      this.settle('faulted', handleError);
      return;
    }
    if (!retry) {
      this.settle('faulted', failure);
      return;
    }
    this.host.absorbed(failure);
    const fireAt = new Date(this.host.now() + retryDelay(this.options, this.attempts)).toISOString();
    this.host.retrying(this.attempts, fireAt, failure);
    this.host.scheduleRetryTimer(fireAt).onSettled(() => this.attempt());
  }

  private shouldRetry(failure: unknown): boolean {
    if (this.attempts >= this.options.maxNumberOfAttempts) return false;
    const timeout = this.options.retryTimeoutInMilliseconds;
    if (timeout !== undefined && this.host.now() - this.firstAttemptAt >= timeout) return false;
    return this.options.handle === undefined || this.options.handle(failure as Error) !== false;
  }
}
