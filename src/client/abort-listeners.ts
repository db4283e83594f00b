/**
 * One 'abort' listener per signal, shared by every wait on it. An EventTarget looks through all its
 * listeners on each add and remove (to refuse duplicates), so 10,000 waits held open by `taskhub serve`,
 * each adding and removing its own listener on the server's one shutdown signal, would cost time in the
 * square of their number; a Set per signal costs the same for each.
 */
const callbacksBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` aborts; returns the function that stops that. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = callbacksBySignal.get(signal);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    callbacksBySignal.set(signal, created);
    signal.addEventListener('abort', () => {
      for (const each of created) each();
    }, { once: true });
  }
  const registered = callbacks;
  registered.add(callback);
  return () => registered.delete(callback);
}
