/**
 * The actions the code has produced and the tasks waiting for their results, both by task id. Task ids
 * are handed out in call order from 0, so a replay gives every action the id it had the first time.
 */
import type { Action } from './actions.js';
import { LeafTask, TimerTask } from './task.js';

export class ActionBook {
  private nextId = 0;
  /** Produced by the code and not (yet) matched with a recorded event. */
  private readonly unrecorded = new Map<number, Action>();
  /** Tasks waiting for their completion event. */
  private readonly waiting = new Map<number, LeafTask<unknown>>();

  /** Records an action under the next task id and returns the id. */
  add(build: (taskId: number) => Action): number {
    const id = this.nextId++;
    this.unrecorded.set(id, build(id));
    return id;
  }

  /** The task that the completion event of its id settles. */
  await<T extends LeafTask<unknown>>(task: T): T {
    this.waiting.set(task.id, task);
    return task;
  }

  /** Takes the task a completion event is for; undefined when none waits (a failed run, a cancelled id). */
  take(id: number): LeafTask<unknown> | undefined {
    const task = this.waiting.get(id);
    this.waiting.delete(id);
    return task;
  }

  produced(id: number): Action | undefined {
    return this.unrecorded.get(id);
  }

  /** The recorded event for this id has been matched. */
  recorded(id: number): void {
    this.unrecorded.delete(id);
  }

  /** Actions not recorded yet, in task id order: at the end of a step, its new actions. */
  pending(): Action[] {
    return [...this.unrecorded.values()].sort((a, b) => a.id - b.id);
  }

  hasPending(): boolean {
    return this.unrecorded.size > 0;
  }

  dropPending(): void {
    this.unrecorded.clear();
  }

  /** Activities, sub-orchestrations and uncancelled timers still running (S-MODEL-4). */
  hasOutstandingTasks(): boolean {
    for (const task of this.waiting.values()) {
      if (!(task instanceof TimerTask && task.isCancelled)) return true;
    }
    return false;
  }
}
