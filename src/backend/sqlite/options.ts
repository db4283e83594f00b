/** Options of the SQLite backend. */

export interface SqliteBackendOptions {
  /** The database file; it and its directory are created on first use. */
  path: string;
  /**
   * `full` (default): a committed step survives power loss (one fsync of the WAL per commit).
   * `normal`: survives a killed process, but the last commits may be lost on power loss or an OS crash.
   */
  synchronous?: 'full' | 'normal';
  /** The store's clock: leases, timers and timestamps. Injectable so timer tests need not sleep. */
  clock?: () => number;
  /**
   * How long a write waits in all for another connection's write transaction before failing with
   * StoreBusyError (default 5 s). The wait is asynchronous (busy.ts): the process goes on answering.
   */
  busyTimeoutMs?: number;
  /** Open only an existing file: neither it nor its directory is created. */
  fileMustExist?: boolean;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
