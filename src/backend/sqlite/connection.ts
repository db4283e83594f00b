/** Opens the SQLite file with the settings every taskhub connection needs. */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BUSY_SLICE_MS, type BusyWait } from './busy.js';
import { DEFAULT_BUSY_TIMEOUT_MS, pageCacheSettings, type SqliteBackendOptions } from './options.js';

export interface SqliteConnection {
  db: Database.Database;
  /** The file's real path: the same for every connection to it, whatever path each was given. */
  resolvedPath: string;
  /** The synchronous mode of durable commits (lease-only commits use NORMAL; see group-commit.ts). */
  synchronous: 'FULL' | 'NORMAL';
  /** How writes wait for the file's write lock. */
  busyWait: BusyWait;
}

export function openConnection(options: SqliteBackendOptions): SqliteConnection {
  const absolute = resolve(options.path);
  if (!options.fileMustExist) mkdirSync(dirname(absolute), { recursive: true });
  const totalMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const pageCache = pageCacheSettings(options);
  const db = new Database(absolute, { timeout: totalMs, fileMustExist: options.fileMustExist ?? false });
  try {
    // Switching to WAL needs the file to itself for a moment: opening waits the whole busy timeout for
    // that (once, at start-up); every later wait is a short slice retried asynchronously (busy.ts).
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${BUSY_SLICE_MS}`);
    const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
    db.pragma(`synchronous = ${synchronous}`);
    // A negative cache_size is in KiB, not pages (https://sqlite.org/pragma.html#pragma_cache_size).
    db.pragma(`cache_size = ${-pageCache.cacheSizeKib}`);
    db.pragma(`mmap_size = ${pageCache.mmapSizeBytes}`);
    const resolvedPath = realpathSync(absolute);
    return { db, resolvedPath, synchronous, busyWait: { totalMs, file: resolvedPath } };
  } catch (error) {
    db.close();
    throw error;
  }
}
