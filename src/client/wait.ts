/**
 * Waiting for an instance to finish: read its row, then sleep until the store signals that this
 * instance finished (one shared subscription, finish-watcher.ts) or its poll turn comes, until the
 * deadline. The signal makes in-process waits return within a millisecond of the commit; the polls are
 * there for writers the signal cannot reach (another process on a SQLite file, a lost PostgreSQL
 * notification), so they start at the interval and back off, never come faster than the floor, and share
 * the watcher's budget. Every read goes out with the other waits' reads of the same moment.
 */
import type { Backend, InstanceRecord } from '../backend/backend.js';
import { isFinished } from '../core/history.js';
import { InstanceNotFoundError } from '../errors.js';
import { Wakeup } from '../runtime/wakeup.js';
import { onAbort } from './abort-listeners.js';
import { watchForFinish } from './finish-watcher.js';

/**
 * The shortest poll interval of any wait, in process or over HTTP (`pollingInterval`, `retryInterval`):
 * without it, an interval of a microsecond makes each wait read the store in a loop.
 */
export const MIN_POLL_INTERVAL_MS = 100;
/** Each poll waits twice as long as the one before, up to this many times the interval. */
const MAX_BACKOFF_FACTOR = 8;

export interface WaitForFinishOptions {
  backend: Backend;
  hub: string;
  instanceId: string;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Whether the record answered includes the instance's input. */
  includeInput: boolean;
  /** Stops waiting early (a server shutting down answers its long polls at once). */
  signal?: AbortSignal;
}

/**
 * The finished instance's record, or undefined when the deadline passed or the signal aborted first.
 * Throws InstanceNotFoundError when there is no such instance (or it was purged meanwhile).
 */
export async function waitForFinish(options: WaitForFinishOptions): Promise<InstanceRecord | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  const firstInterval = Math.max(MIN_POLL_INTERVAL_MS, options.pollIntervalMs);
  const wakeup = new Wakeup();
  const watch = watchForFinish(options.backend, options.hub, options.instanceId, options.includeInput, () => wakeup.notify());
  const stopListening = options.signal && onAbort(options.signal, () => wakeup.notify());
  try {
    let interval = firstInterval;
    for (;;) {
      const record = await watch.read();
      if (record === undefined) throw new InstanceNotFoundError(options.instanceId);
      if (isFinished(record.status)) return record;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || options.signal?.aborted) return undefined;
      watch.pollAfter(interval);
      await wakeup.wait(remaining);
      interval = Math.min(interval * 2, firstInterval * MAX_BACKOFF_FACTOR);
    }
  } finally {
    stopListening?.();
    watch.stop();
  }
}
