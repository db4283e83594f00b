/**
 * Opens a backend from a connection string (S-STORE-1): `sqlite:<path>` (the embedded default) or
 * `postgres://…` / `postgresql://…`. The PostgreSQL driver is loaded only when asked for.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Backend } from './backend.js';

export interface OpenBackendOptions {
  /** SQLite durability: 'full' (default, survives power loss) or 'normal' (survives a killed process). */
  sqliteSynchronous?: 'full' | 'normal';
  /** PostgreSQL schema holding taskhub's tables (default 'taskhub'). */
  postgresSchema?: string;
  /** PostgreSQL connection pool size (default 10). */
  postgresPoolSize?: number;
}

export async function openBackend(connectionString: string, options: OpenBackendOptions = {}): Promise<Backend> {
  const text = connectionString.trim();
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length);
    if (path === '') throw new InvalidArgumentError("the SQLite connection string needs a file path, e.g. 'sqlite:./.taskhub/taskhub.db'");
    const { SqliteBackend } = await import('./sqlite/index.js');
    return new SqliteBackend({ path, synchronous: options.sqliteSynchronous });
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    const { PostgresBackend } = await import('./postgres/index.js');
    return new PostgresBackend({ connectionString: text, schema: options.postgresSchema, poolSize: options.postgresPoolSize });
  }
  throw new InvalidArgumentError(
    `unsupported storage connection string '${redact(text)}': use 'sqlite:<path>' or 'postgres://user@host:port/database'`,
  );
}

/** Hides a password in a connection string shown to people. */
export function redact(connectionString: string): string {
  return connectionString.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
