/**
 * The claim loop shared by the orchestration and activity dispatchers: claim up to the free capacity,
 * hand each item to `process`, and when idle sleep with exponential backoff until a signal, timed work due
 * (which an empty claim answers: no other round trip) or the poll interval. Every failed claim is logged and retried after a back-off, whatever
 * the error: a store that restarts (PostgreSQL) or is busy (SQLite) must not kill the worker, and neither
 * must a failure only an operator can fix (a revoked permission), since the worker cannot tell the two
 * apart and carries on by itself once it is fixed; a retry cannot double anything, every write being
 * fenced (docs/scale-out.md, "Retries"). Items can also arrive from elsewhere (the activity tasks a step's
 * commit leased to this worker): reserve() takes slots for them, adopt() runs them.
 */
import type { Claimed } from '../backend/backend.js';
import { Wakeup } from './wakeup.js';

export interface PollLoopOptions<T> {
  name: string;
  concurrency: number;
  /** Largest batch claimed at once. */
  maxBatch: number;
  minPollMs: number;
  maxPollMs: number;
  /** Empty, it says how long until the store has timed work due (timers, expiring leases), if any. */
  claim(max: number): Promise<Claimed<T>>;
  process(item: T): Promise<void>;
  onError(context: string, error: unknown): void;
}

/** Work is handed over only to a dispatcher with fewer items than this in hand (see reserve). */
const HANDOVER_BELOW_IN_FLIGHT = 4;

export class PollLoop<T> {
  readonly wakeup = new Wakeup();
  private readonly slotFreed = new Wakeup();
  private inFlight = 0;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly options: PollLoopOptions<T>) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming new work; work in hand, and work adopted from now on, still runs. */
  async stopClaiming(): Promise<void> {
    this.running = false;
    this.wakeup.notify();
    this.slotFreed.notify();
    await this.loopDone;
  }

  /** Waits until no work is in hand, including work adopted while waiting. */
  async drain(): Promise<void> {
    while (this.busy) await Promise.allSettled([...this.active]);
  }

  get busy(): boolean {
    return this.active.size > 0;
  }

  /**
   * Takes up to `wanted` free slots for items to be handed over with adopt(); returns how many. None once
   * claiming has stopped: work handing work over (a chain's steps and activities) must not outlast a stop.
   * None either while the dispatcher is busy: under load, work claimed in batches shares its transactions
   * better than work handed over item by item (2,000 hellos at once on SQLite ran 16 % slower with
   * unconditional handover), and handing over is for latency when work is sparse.
   */
  reserve(wanted: number): number {
    if (!this.running || this.inFlight >= HANDOVER_BELOW_IN_FLIGHT) return 0;
    const granted = Math.max(0, Math.min(wanted, this.options.concurrency - this.inFlight));
    this.inFlight += granted;
    return granted;
  }

  /** Runs items handed over for `reserved` slots taken with reserve(), and gives back the slots they leave. */
  adopt(items: readonly T[], reserved: number): void {
    const unused = reserved - items.length;
    for (const item of items) this.run(item);
    if (unused > 0) {
      this.inFlight -= unused;
      this.slotFreed.notify();
    }
  }

  private async loop(): Promise<void> {
    const { minPollMs, maxPollMs } = this.options;
    let idleDelay = minPollMs;
    let errorDelay = minPollMs;
    while (this.running) {
      const capacity = this.options.concurrency - this.inFlight;
      if (capacity <= 0) {
        await this.slotFreed.wait(maxPollMs);
        continue;
      }
      const requested = Math.min(capacity, this.options.maxBatch);
      let items: Claimed<T>;
      try {
        items = await this.options.claim(requested);
        errorDelay = minPollMs;
      } catch (error) {
        this.options.onError(`${this.options.name}: claiming work failed; retrying in ${errorDelay} ms`, error);
        await this.wakeup.wait(errorDelay);
        errorDelay = Math.min(errorDelay * 2, Math.max(maxPollMs, 1000));
        continue;
      }
      for (const item of items) this.dispatch(item);
      if (items.length === requested) {
        // A full batch: more may be waiting.
        idleDelay = minPollMs;
        continue;
      }
      if (items.length > 0) {
        // A partial batch took everything that was ready; the commits of this work will signal the next.
        idleDelay = minPollMs;
        await this.wakeup.wait(idleDelay);
        continue;
      }
      // Nothing ready: sleep until a signal, the store's next timer or lease expiry, or the backed-off poll.
      const dueIn = items.msUntilTimedWork;
      await this.wakeup.wait(dueIn === undefined ? idleDelay : Math.min(idleDelay, Math.max(dueIn, 0)));
      idleDelay = Math.min(idleDelay * 2, maxPollMs);
    }
  }

  private dispatch(item: T): void {
    this.inFlight++;
    this.run(item);
  }

  /** Runs an item whose slot is already counted in inFlight. */
  private run(item: T): void {
    const run = this.options
      .process(item)
      .catch((error: unknown) => this.options.onError(`${this.options.name}: processing failed`, error))
      .finally(() => {
        this.inFlight--;
        this.active.delete(run);
        this.slotFreed.notify();
      });
    this.active.add(run);
  }
}

