/* eslint-disable @typescript-eslint/no-explicit-any -- `const x = yield task` is `any`, as in Durable Functions JS; `yield*` is the typed form. */
/**
 * What orchestrator code sees: the context and the tasks it yields. Implemented by the replay engine.
 *
 * Two ways to wait on a task: `const x = yield task` (x is `any`, as in Durable Functions JS) or
 * `const x = yield* task` (x is typed: a task is iterable and returns its result).
 */

/** A named function with phantom types, so callActivity/callSubOrchestrator carry input and output types. */
export interface ActivityRef<TInput = unknown, TOutput = unknown> {
  readonly name: string;
  readonly kind: 'activity';
  /** Never set: carries the types only. */
  readonly __types?: (input: TInput) => TOutput;
}

export interface OrchestratorRef<TInput = unknown, TOutput = unknown> {
  readonly name: string;
  readonly kind: 'orchestrator';
  readonly __types?: (input: TInput) => TOutput;
}

export interface Task<T> extends Iterable<Task<T>> {
  readonly isCompleted: boolean;
  readonly isFaulted: boolean;
  /** The result once completed successfully. */
  readonly result: T | undefined;
  [Symbol.iterator](): Generator<Task<T>, T, unknown>;
}

export interface TimerTask extends Task<void> {
  readonly isCancelled: boolean;
  /** A cancelled timer no longer keeps the instance running (S-MODEL-4). */
  cancel(): void;
}

export interface RetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
  /** Return false to stop retrying for this error. Must be deterministic. */
  handle?: (error: Error) => boolean;
}

export interface ContinueAsNewOptions {
  /** Carry events that arrived but were not yet waited for into the next execution. */
  preserveUnprocessedEvents?: boolean;
}

export interface OrchestrationContext {
  readonly instanceId: string;
  readonly parentInstanceId: string | undefined;
  readonly name: string;
  /** True while the engine replays steps that were already committed. */
  readonly isReplaying: boolean;
  /** The current step's time, from the history: deterministic across replays. */
  readonly currentUtcDateTime: Date;
  getInput<T = unknown>(): T;

  callActivity<TIn, TOut>(activity: ActivityRef<TIn, TOut>, input?: TIn): Task<TOut>;
  callActivity<TOut = any>(name: string, input?: unknown): Task<TOut>;
  callActivityWithRetry<TIn, TOut>(activity: ActivityRef<TIn, TOut>, retry: RetryOptions, input?: TIn): Task<TOut>;
  callActivityWithRetry<TOut = any>(name: string, retry: RetryOptions, input?: unknown): Task<TOut>;
  /** Default child instance id: `<parentInstanceId>:<n>`, n counting sub-orchestrations from 0. */
  callSubOrchestrator<TIn, TOut>(orchestrator: OrchestratorRef<TIn, TOut>, input?: TIn, instanceId?: string): Task<TOut>;
  callSubOrchestrator<TOut = any>(name: string, input?: unknown, instanceId?: string): Task<TOut>;
  callSubOrchestratorWithRetry<TIn, TOut>(
    orchestrator: OrchestratorRef<TIn, TOut>,
    retry: RetryOptions,
    input?: TIn,
    instanceId?: string,
  ): Task<TOut>;
  callSubOrchestratorWithRetry<TOut = any>(name: string, retry: RetryOptions, input?: unknown, instanceId?: string): Task<TOut>;
  createTimer(fireAt: Date): TimerTask;
  waitForExternalEvent<T = any>(name: string): Task<T>;
  /** Fire-and-forget event to another instance. */
  sendEvent(instanceId: string, name: string, data?: unknown): void;
  continueAsNew(input: unknown, options?: ContinueAsNewOptions): void;
  setCustomStatus(value: unknown): void;
  /** Sets one of the instance's tags (docs/instance-management.md), committed with the step; the limits of start tags apply. */
  setTag(key: string, value: string): void;
  /** Removes one of the instance's tags, committed with the step; removing an absent tag changes nothing. */
  removeTag(key: string): void;
  /** A name-based UUID (v5) of instance id, current time and a counter: the same on every replay. */
  newGuid(): string;
  /** Logs only when not replaying. */
  readonly log: {
    info(message: string, ...args: unknown[]): void;
    warn(message: string, ...args: unknown[]): void;
    error(message: string, ...args: unknown[]): void;
  };
}

export type OrchestratorFunction<TInput = any, TOutput = any> = (
  context: OrchestrationContext,
  input: TInput,
) => Generator<Task<unknown>, TOutput, any> | TOutput;
