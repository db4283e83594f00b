/** Options of the SQLite backend. */
import { InvalidArgumentError } from '../../errors.js';

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
  /**
   * The most memory, in KiB, the connection's page cache may hold (SQLite's `cache_size`; default
   * DEFAULT_CACHE_SIZE_KIB). Pages are allocated only as they are read, so a small store uses only its size.
   */
  cacheSizeKib?: number;
  /**
   * How many bytes of the file are read through a memory map (SQLite's `mmap_size`; default 0, off:
   * mapped pages count in the process's RSS, and an I/O error on them is a SIGBUS, not an error).
   */
  mmapSizeBytes?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * 64 MiB instead of SQLite's 2 MiB: at 1,000,000 instances (a 766 MB file) the indexes a hello sequence
 * touches no longer fit 2 MiB, and each step rereads their pages from the OS (docs/benchmarks.md,
 * "SQLite page cache").
 */
export const DEFAULT_CACHE_SIZE_KIB = 65_536;

/** The bounds the options are checked against: 256 KiB (below it SQLite thrashes on one transaction) to 64 GiB. */
export const CACHE_SIZE_KIB_RANGE = { min: 256, max: 64 * 1024 * 1024 } as const;
export const MMAP_SIZE_BYTES_MAX = 2 ** 46;

export interface PageCacheSettings {
  cacheSizeKib: number;
  mmapSizeBytes: number;
}

/** The page cache settings of `options`, defaults filled in; a value out of range is an InvalidArgumentError. */
export function pageCacheSettings(options: Pick<SqliteBackendOptions, 'cacheSizeKib' | 'mmapSizeBytes'>): PageCacheSettings {
  const cacheSizeKib = options.cacheSizeKib ?? DEFAULT_CACHE_SIZE_KIB;
  if (!Number.isSafeInteger(cacheSizeKib) || cacheSizeKib < CACHE_SIZE_KIB_RANGE.min || cacheSizeKib > CACHE_SIZE_KIB_RANGE.max) {
    throw new InvalidArgumentError(
      `the SQLite page cache size is a whole number of KiB from ${CACHE_SIZE_KIB_RANGE.min} to ${CACHE_SIZE_KIB_RANGE.max} (64 GiB), not ${String(options.cacheSizeKib)}`,
    );
  }
  const mmapSizeBytes = options.mmapSizeBytes ?? 0;
  if (!Number.isSafeInteger(mmapSizeBytes) || mmapSizeBytes < 0 || mmapSizeBytes > MMAP_SIZE_BYTES_MAX) {
    throw new InvalidArgumentError(
      `the SQLite memory map size is a whole number of bytes from 0 (off) to ${MMAP_SIZE_BYTES_MAX} (64 TiB), not ${String(options.mmapSizeBytes)}`,
    );
  }
  return { cacheSizeKib, mmapSizeBytes };
}
