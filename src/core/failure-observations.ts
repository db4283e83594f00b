/**
 * Which task failures the orchestrator code saw and got past — by catching them, through a Task.any, or
 * because a retry absorbed them. A rewind keeps exactly those (rewind.ts): the code's later path depends
 * on them. Failures are identified by the index of their event in the replayed history.
 */
import { Task } from './task.js';

export class FailureObservations {
  /** The failure event each error object came from. */
  private readonly sources = new WeakMap<object, number>();
  readonly survived = new Set<number>();

  /** Remembers that `error` was made from the failure event at `index` (new events have no index). */
  record(error: object, index: number): void {
    if (index >= 0) this.sources.set(error, index);
  }

  /** The failure events a settled task hands to the code: its own, or a Task.any winner's. */
  seenThrough(task: Task<unknown>): number[] {
    if (task.isFaulted) {
      const index = this.sourceOf(task.exception);
      return index === undefined ? [] : [index];
    }
    return task.result instanceof Task ? this.seenThrough(task.result) : [];
  }

  /** The code went on after seeing these failures. */
  survive(indices: readonly number[]): void {
    for (const index of indices) this.survived.add(index);
  }

  /** A retry decided to try again after this failure. */
  absorbed(failure: unknown): void {
    const index = this.sourceOf(failure);
    if (index !== undefined) this.survived.add(index);
  }

  private sourceOf(error: unknown): number | undefined {
    return typeof error === 'object' && error !== null ? this.sources.get(error) : undefined;
  }
}
