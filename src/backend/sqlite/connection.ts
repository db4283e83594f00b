/** Opens the SQLite file with the settings every taskhub connection needs. */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_BUSY_TIMEOUT_MS, type SqliteBackendOptions } from './options.js';

export interface SqliteConnection {
  db: Database.Database;
  /** The file's real path: the same for every connection to it, whatever path each was given. */
  resolvedPath: string;
  /** The synchronous mode of durable commits (lease-only commits use NORMAL; see group-commit.ts). */
  synchronous: 'FULL' | 'NORMAL';
}

export function openConnection(options: SqliteBackendOptions): SqliteConnection {
  const absolute = resolve(options.path);
  if (!options.fileMustExist) mkdirSync(dirname(absolute), { recursive: true });
  const db = new Database(absolute, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, fileMustExist: options.fileMustExist ?? false });
  try {
    // Switching to WAL needs the file to itself for a moment; the busy timeout above covers that race.
    db.pragma('journal_mode = WAL');
    const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
    db.pragma(`synchronous = ${synchronous}`);
    return { db, resolvedPath: realpathSync(absolute), synchronous };
  } catch (error) {
    db.close();
    throw error;
  }
}
