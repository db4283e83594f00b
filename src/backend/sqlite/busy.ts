/**
 * Waiting for another connection's write lock without stopping the event loop. better-sqlite3 waits for a
 * lock synchronously (SQLite's busy timeout), and a wait of seconds would hold every request of the
 * process, reads included. So each attempt waits at most BUSY_SLICE_MS; between attempts the process
 * sleeps asynchronously, backing off, until the store's total wait is spent, then StoreBusyError. Only
 * writes wait: in WAL mode a read never waits for a writer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreBusyError } from '../../errors.js';

/** The synchronous busy timeout of every attempt: the most one attempt can hold the event loop. */
export const BUSY_SLICE_MS = 5;
const FIRST_RETRY_MS = 5;
const LONGEST_RETRY_MS = 100;

export interface BusyWait {
  /** How long a write may wait for the lock in all. */
  totalMs: number;
  /** Named in the error. */
  file: string;
}

/** Runs `attempt` (a write transaction, which SQLite rolled back when it got SQLITE_BUSY) until it gets the lock. */
export async function whenUnlocked<T>(wait: BusyWait, attempt: () => T): Promise<T> {
  const started = performance.now();
  for (let retryMs = FIRST_RETRY_MS; ; retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS)) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (performance.now() - started + retryMs > wait.totalMs) {
        throw new StoreBusyError(
          `the SQLite file ${wait.file} stayed locked by another connection's write transaction for ${wait.totalMs} ms; nothing was written, try again once it ends`,
          { cause: error },
        );
      }
      await sleep(retryMs);
    }
  }
}

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_RECOVERY…). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}
