/**
 * Work signals within one process. Channels are keyed by the database file's real path and the hub, so a
 * client and a worker holding different SqliteBackend objects on one file hear each other. Other
 * processes hear nothing: their workers poll, so a signal is a hint, never the only path (docs/scale-out.md).
 */
import type { WorkSignal } from '../backend.js';

type Listener = (signal: WorkSignal) => void;

const channels = new Map<string, Set<Listener>>();

function channelKey(resolvedPath: string, hub: string): string {
  return `${resolvedPath}\u0000${hub}`;
}

export function subscribeToSignals(resolvedPath: string, hub: string, listener: Listener): () => void {
  const key = channelKey(resolvedPath, hub);
  let listeners = channels.get(key);
  if (listeners === undefined) {
    listeners = new Set();
    channels.set(key, listeners);
  }
  // A wrapper per subscription, so subscribing one function twice needs two unsubscribes.
  const subscription: Listener = (signal) => listener(signal);
  listeners.add(subscription);
  return () => {
    listeners.delete(subscription);
    if (listeners.size === 0 && channels.get(key) === listeners) channels.delete(key);
  };
}

/** Call after the transaction has committed. Each listener runs in its own microtask, so a throwing
 *  listener neither undoes the caller's work nor keeps the signal from the others. */
export function emitSignals(resolvedPath: string, hub: string, signals: readonly WorkSignal[]): void {
  const listeners = channels.get(channelKey(resolvedPath, hub));
  if (listeners === undefined) return;
  for (const signal of signals) {
    for (const listener of listeners) queueMicrotask(() => listener(signal));
  }
}
