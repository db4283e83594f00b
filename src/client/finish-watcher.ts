/**
 * One subscription per store and hub for every wait on it, and one poll schedule. Waiters are kept by
 * instance id, so a "finished" signal costs one map lookup and wakes only that instance's waiters, however
 * many wait. The polls that cover writers the signal cannot reach are served from one queue, earliest due
 * first, at most POLLS_PER_SECOND for the hub: their cost stays bounded with 10 or 10,000 waiters (with
 * many, each is polled later than it asked). The waits' reads of their instances go out together, in one
 * query per turn of the event loop (instance-reads.ts). Subscription and poll timer live while a waiter does.
 */
import type { Backend, InstanceRecord } from '../backend/backend.js';
import { InstanceReads } from './instance-reads.js';

/** The polling budget of one store and hub: a read takes 20–300 µs, so this stays within a few % of a core. */
const POLLS_PER_SECOND = 100;
/** The polls due in one tick are read in one query (instance-reads.ts), so ticks are coarse. */
const TICK_MS = 100;
const POLLS_PER_TICK = (POLLS_PER_SECOND * TICK_MS) / 1000;

export interface Watch {
  /** The instance's row now (undefined: no such instance), read in one query with the other waits' reads. */
  read(): Promise<InstanceRecord | undefined>;
  /** Asks for a wake-up once `ms` have passed and a poll turn is free (replaces any asked for before). */
  pollAfter(ms: number): void;
  stop(): void;
}

interface Waiter {
  wake: () => void;
  /** When its poll is due; undefined when none is asked for. */
  due: number | undefined;
  stopped: boolean;
}

class FinishWatcher {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly polls = new PollQueue();
  private readonly reads: InstanceReads;
  private unsubscribe: (() => void) | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly hub: string,
    private readonly onIdle: () => void,
  ) {
    this.reads = new InstanceReads(backend, hub);
  }

  watch(instanceId: string, includeInput: boolean, notify: () => void): Watch {
    this.unsubscribe ??= this.backend.subscribe(this.hub, (signal) => {
      if (signal.kind !== 'finished') return;
      const waiting = this.waiters.get(signal.instanceId);
      if (waiting) for (const waiter of waiting) waiter.wake();
    });
    if (this.ticker === undefined) {
      this.ticker = setInterval(() => this.servePolls(), TICK_MS);
      // The waits' own deadlines keep the process alive, not this.
      this.ticker.unref();
    }
    let waiting = this.waiters.get(instanceId);
    if (waiting === undefined) {
      waiting = new Set();
      this.waiters.set(instanceId, waiting);
    }
    const waiter: Waiter = { wake: () => notify(), due: undefined, stopped: false };
    waiting.add(waiter);
    return {
      read: () => this.reads.read(instanceId, includeInput),
      pollAfter: (ms) => {
        waiter.due = Date.now() + ms;
        this.polls.push(waiter, waiter.due);
      },
      stop: () => this.stop(instanceId, waiter),
    };
  }

  private stop(instanceId: string, waiter: Waiter): void {
    if (waiter.stopped) return;
    waiter.stopped = true;
    const waiting = this.waiters.get(instanceId)!;
    waiting.delete(waiter);
    if (waiting.size === 0) this.waiters.delete(instanceId);
    if (this.waiters.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.polls.clear();
    this.onIdle();
  }

  private servePolls(): void {
    const now = Date.now();
    for (let served = 0; served < POLLS_PER_TICK; ) {
      const next = this.polls.popDue(now);
      if (next === undefined) return;
      // Entries left behind by a waiter that stopped or asked again are skipped.
      if (next.waiter.stopped || next.waiter.due !== next.due) continue;
      next.waiter.due = undefined;
      next.waiter.wake();
      served++;
    }
  }
}

/** A binary min-heap of poll requests by due time. */
class PollQueue {
  private entries: { waiter: Waiter; due: number }[] = [];

  push(waiter: Waiter, due: number): void {
    const entries = this.entries;
    entries.push({ waiter, due });
    for (let i = entries.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (entries[parent]!.due <= entries[i]!.due) break;
      [entries[parent], entries[i]] = [entries[i]!, entries[parent]!];
      i = parent;
    }
  }

  /** The earliest entry when it is due by `now`, removed. */
  popDue(now: number): { waiter: Waiter; due: number } | undefined {
    const entries = this.entries;
    const first = entries[0];
    if (first === undefined || first.due > now) return undefined;
    const last = entries.pop()!;
    if (entries.length > 0) {
      entries[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < entries.length && entries[left]!.due < entries[smallest]!.due) smallest = left;
        if (right < entries.length && entries[right]!.due < entries[smallest]!.due) smallest = right;
        if (smallest === i) break;
        [entries[smallest], entries[i]] = [entries[i]!, entries[smallest]!];
        i = smallest;
      }
    }
    return first;
  }

  clear(): void {
    this.entries = [];
  }
}

const watchers = new WeakMap<Backend, Map<string, FinishWatcher>>();

/**
 * Wakes `notify` whenever the store signals that `instanceId` of `hub` finished, and at the poll turns asked
 * for; its reads include the input when `includeInput` is set.
 */
export function watchForFinish(backend: Backend, hub: string, instanceId: string, includeInput: boolean, notify: () => void): Watch {
  let byHub = watchers.get(backend);
  if (byHub === undefined) {
    byHub = new Map();
    watchers.set(backend, byHub);
  }
  let watcher = byHub.get(hub);
  if (watcher === undefined) {
    const forgotten = byHub;
    watcher = new FinishWatcher(backend, hub, () => forgotten.delete(hub));
    byHub.set(hub, watcher);
  }
  return watcher.watch(instanceId, includeInput, notify);
}
