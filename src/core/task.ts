/**
 * Tasks: what orchestrator code yields. The engine settles leaf tasks from history events; composite
 * tasks (Task.all, Task.any) and retries settle from their children. Settling is synchronous, so after
 * one history event is applied every task that depends on it is already up to date.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Task as TaskContract, TimerTask as TimerTaskContract } from './context.js';

type ResultOf<X> = X extends TaskContract<infer R> ? R : never;
type Listener = (task: Task<unknown>) => void;

export abstract class Task<T> implements TaskContract<T> {
  private state: 'pending' | 'completed' | 'faulted' = 'pending';
  private value: T | undefined;
  private failure: unknown;
  private listeners: Listener[] = [];

  /** True once the task has finished, successfully or not (as in Durable Functions JS). */
  get isCompleted(): boolean {
    return this.state !== 'pending';
  }

  get isFaulted(): boolean {
    return this.state === 'faulted';
  }

  get result(): T | undefined {
    return this.state === 'completed' ? this.value : undefined;
  }

  /** What the task failed with (usually a TaskFailedError); undefined unless faulted. */
  get exception(): unknown {
    return this.state === 'faulted' ? this.failure : undefined;
  }

  /** `yield* task` yields the task to the engine and evaluates to its (typed) result. */
  *[Symbol.iterator](): Generator<Task<T>, T, unknown> {
    return (yield this) as T;
  }

  /** Completes when every task has completed, with their results in order; faults as soon as one faults. */
  static all<const Tasks extends readonly TaskContract<unknown>[]>(
    tasks: Tasks,
  ): Task<{ -readonly [K in keyof Tasks]: ResultOf<Tasks[K]> }> {
    return new WhenAllTask(asTasks(tasks, 'Task.all')) as Task<unknown> as Task<{ -readonly [K in keyof Tasks]: ResultOf<Tasks[K]> }>;
  }

  /** Completes when the first task finishes, successfully or not; its result is that task. */
  static any<T extends TaskContract<unknown>>(tasks: readonly T[]): Task<T> {
    const children = asTasks(tasks, 'Task.any');
    if (children.length === 0) throw new InvalidArgumentError('Task.any needs at least one task');
    return new WhenAnyTask(children) as Task<unknown> as Task<T>;
  }

  /** Calls `listener` once the task settles (at once if it already has). */
  onSettled(listener: Listener): void {
    if (this.isCompleted) listener(this);
    else this.listeners.push(listener);
  }

  protected settle(state: 'completed' | 'faulted', value: unknown): void {
    if (this.state !== 'pending') return;
    this.state = state;
    if (state === 'completed') this.value = value as T;
    else this.failure = value;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(this);
  }
}

function asTasks(tasks: readonly unknown[], operation: string): Task<unknown>[] {
  if (!Array.isArray(tasks)) throw new InvalidArgumentError(`${operation} takes an array of tasks`);
  return tasks.map((task, index) => {
    if (!(task instanceof Task)) throw new InvalidArgumentError(`${operation}: element ${index} is not a task from the orchestration context`);
    return task as Task<unknown>;
  });
}

/** A task the engine settles from a history event: an activity, a sub-orchestration or an external event. */
export class LeafTask<T> extends Task<T> {
  constructor(
    readonly kind: 'activity' | 'sub-orchestration' | 'event' | 'timer',
    readonly name: string,
    /** The task id (sequence number); -1 for external events, which have none. */
    readonly id: number,
  ) {
    super();
  }

  complete(value: T): void {
    this.settle('completed', value);
  }

  fail(error: unknown): void {
    this.settle('faulted', error);
  }
}

export class TimerTask extends LeafTask<void> implements TimerTaskContract {
  private cancelled = false;

  constructor(id: number, readonly fireAt: string) {
    super('timer', 'timer', id);
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** A cancelled timer never completes and no longer keeps the instance running; cancelling a fired timer does nothing. */
  cancel(): void {
    if (!this.isCompleted) this.cancelled = true;
  }

  override complete(): void {
    if (!this.cancelled) super.complete();
  }
}

export class WhenAllTask extends Task<unknown[]> {
  private remaining: number;

  constructor(readonly children: readonly Task<unknown>[]) {
    super();
    this.remaining = children.length;
    if (children.length === 0) this.settle('completed', []);
    for (const child of children) child.onSettled((settled) => this.childSettled(settled));
  }

  private childSettled(child: Task<unknown>): void {
    if (this.isCompleted) return;
    if (child.isFaulted) this.settle('faulted', child.exception);
    else if (--this.remaining === 0) this.settle('completed', this.children.map((c) => c.result));
  }
}

export class WhenAnyTask extends Task<Task<unknown>> {
  constructor(readonly children: readonly Task<unknown>[]) {
    super();
    for (const child of children) child.onSettled((settled) => this.settle('completed', settled));
  }
}
