/**
 * Group commit: calls of one kind (step commits, activity results, instance creations) made in the same
 * turn of the event loop for the same hub go to the database as one server function call: one round trip,
 * one transaction, one WAL flush. A worker that claimed 50 steps commits them together; the activities of a
 * fan-out complete in a handful of transactions instead of one each. A lone call waits only for
 * setImmediate.
 *
 * Each request in a batch keeps its own outcome (every step is fenced on its own). When the server
 * rejects a batch with an error, the transaction surely did not commit, and each request is sent again on
 * its own, so one bad request fails alone; when the connection is lost instead, the outcome is unknown and
 * every request fails with the error, as it would have unbatched.
 */
import { rolledBack } from './errors.js';

/** Sends one batch; returns one result per request, in order. */
export type BatchCall<Request, Result> = (hub: string, requests: Request[]) => Promise<Result[]>;

interface Pending<Request, Result> {
  request: Request;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class GroupCommit<Request, Result> {
  private pending = new Map<string, Pending<Request, Result>[]>();
  private scheduled = false;

  constructor(
    private readonly call: BatchCall<Request, Result>,
    /** Largest batch: bounds the size of one statement's parameters and of its transaction. */
    private readonly maxBatch: number,
  ) {}

  submit(hub: string, request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.pending.get(hub);
      if (queue === undefined) this.pending.set(hub, [{ request, resolve, reject }]);
      else queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [hub, queue] of pending) {
      for (let start = 0; start < queue.length; start += this.maxBatch) void this.send(hub, queue.slice(start, start + this.maxBatch));
    }
  }

  private async send(hub: string, batch: Pending<Request, Result>[]): Promise<void> {
    let results: Result[];
    try {
      results = await this.call(hub, batch.map((entry) => entry.request));
    } catch (error) {
      if (batch.length > 1 && rolledBack(error)) {
        await Promise.all(batch.map((entry) => this.send(hub, [entry])));
        return;
      }
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, index) => entry.resolve(results[index]!));
  }
}
