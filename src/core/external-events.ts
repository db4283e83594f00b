/**
 * External events (S-EVENT-2, T15): an EventRaised goes to the oldest waiter of its name; with no waiter
 * it is buffered, in arrival order, until a waitForExternalEvent takes it. Names compare
 * case-insensitively, as in Durable Functions.
 */
import type { EventRaisedEvent } from './history.js';
import { fromJson } from './serialize.js';
import { LeafTask } from './task.js';

export class ExternalEvents {
  private readonly waiters = new Map<string, LeafTask<unknown>[]>();
  /** Every buffered event in arrival order (the order continue-as-new carries them over in). */
  private readonly buffered: EventRaisedEvent[] = [];

  wait(name: string): LeafTask<unknown> {
    const task = new LeafTask<unknown>('event', name, -1);
    const key = keyOf(name);
    const index = this.buffered.findIndex((event) => keyOf(event.name) === key);
    if (index >= 0) {
      const [event] = this.buffered.splice(index, 1);
      task.complete(fromJson(event?.input));
    } else {
      const queue = this.waiters.get(key) ?? [];
      queue.push(task);
      this.waiters.set(key, queue);
    }
    return task;
  }

  deliver(event: EventRaisedEvent): void {
    const waiter = this.waiters.get(keyOf(event.name))?.shift();
    if (waiter) waiter.complete(fromJson(event.input));
    else this.keep(event);
  }

  /** Buffers an event without offering it to the waiters. */
  keep(event: EventRaisedEvent): void {
    this.buffered.push(event);
  }

  /** Events that arrived and were never waited for, oldest first. */
  unconsumed(): EventRaisedEvent[] {
    return [...this.buffered];
  }
}

function keyOf(name: string): string {
  return name.toLowerCase();
}
