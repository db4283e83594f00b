/**
 * One subscription per store and hub for every wait on it. Waiters are kept by instance id, so a
 * "finished" signal costs one map lookup and wakes only that instance's waiters, however many wait. The
 * subscription is taken with the first waiter and dropped with the last.
 */
import type { Backend } from '../backend/backend.js';

type Notify = () => void;

class FinishWatcher {
  private readonly waiters = new Map<string, Set<Notify>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly hub: string,
    private readonly onIdle: () => void,
  ) {}

  watch(instanceId: string, notify: Notify): () => void {
    this.unsubscribe ??= this.backend.subscribe(this.hub, (signal) => {
      if (signal.kind !== 'finished') return;
      const waiting = this.waiters.get(signal.instanceId);
      if (waiting) for (const wake of waiting) wake();
    });
    let waiting = this.waiters.get(instanceId);
    if (waiting === undefined) {
      waiting = new Set();
      this.waiters.set(instanceId, waiting);
    }
    // A wrapper per call, so one function watching twice needs two stops.
    const wake: Notify = () => notify();
    waiting.add(wake);
    return () => {
      if (!waiting.delete(wake)) return;
      if (waiting.size === 0) this.waiters.delete(instanceId);
      if (this.waiters.size > 0) return;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.onIdle();
    };
  }
}

const watchers = new WeakMap<Backend, Map<string, FinishWatcher>>();

/** Calls `notify` whenever the store signals that `instanceId` of `hub` finished; returns the stop function. */
export function watchForFinish(backend: Backend, hub: string, instanceId: string, notify: () => void): () => void {
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
  return watcher.watch(instanceId, notify);
}
