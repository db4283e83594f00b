/**
 * Opens a backend from a connection string (S-STORE-1): `sqlite:<path>` (the embedded default) or
 * `postgres://…` / `postgresql://…`. The PostgreSQL driver is loaded only when asked for.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, StoreNotCreatedError } from '../errors.js';
import { DEFAULT_CONNECTION_STRING } from '../config.js';
import type { Backend } from './backend.js';
import { redactConnectionString } from '../secrets.js';

export interface OpenBackendOptions {
  /** SQLite durability: 'full' (default, survives power loss) or 'normal' (survives a killed process). */
  sqliteSynchronous?: 'full' | 'normal';
  /** PostgreSQL schema holding taskhub's tables (default: the URL's `schema` parameter, else 'taskhub'). */
  postgresSchema?: string;
  /** PostgreSQL connection pool size (default: the URL's `pool_size` parameter, else 10). */
  postgresPoolSize?: number;
  /** PostgreSQL `statement_timeout` of pooled connections (default: the URL's `statement_timeout`, else the server's). */
  postgresStatementTimeoutMs?: number;
  /**
   * Open the store only as taskhub has already created it, for use as it is: nothing is created or
   * migrated (no SQLite file, directory or PostgreSQL schema), and a store without this version's schema
   * is a StoreNotCreatedError. For reads, which must never create a store.
   */
  existingOnly?: boolean;
}

export async function openBackend(connectionString: string, options: OpenBackendOptions = {}): Promise<Backend> {
  const backend = await openAny(connectionString.trim(), options);
  if (!options.existingOnly) return backend;
  let migrated: boolean;
  try {
    migrated = await backend.isMigrated();
  } catch (error) {
    await backend.close();
    throw error;
  }
  if (!migrated) {
    await backend.close();
    throw notCreated(backend.description);
  }
  return backend;
}

function notCreated(description: string): StoreNotCreatedError {
  return new StoreNotCreatedError(
    `the store ${description} has no taskhub tables of this version yet; a worker creates and upgrades them (taskhub serve), as does any command that writes`,
  );
}

async function openAny(text: string, options: OpenBackendOptions): Promise<Backend> {
  if (text.startsWith('sqlite:')) {
    const path = sqlitePath(text, options.existingOnly ?? false);
    const { SqliteBackend } = await import('./sqlite/index.js');
    return new SqliteBackend({ path, synchronous: options.sqliteSynchronous, fileMustExist: options.existingOnly });
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    const settings = postgresSettings(text);
    const { PostgresBackend } = await import('./postgres/index.js');
    return new PostgresBackend({
      connectionString: settings.connectionString,
      schema: options.postgresSchema ?? settings.schema,
      poolSize: options.postgresPoolSize ?? settings.poolSize,
      statementTimeoutMs: options.postgresStatementTimeoutMs,
    });
  }
  throw new InvalidArgumentError(
    `unsupported storage connection string '${redactConnectionString(text)}': use 'sqlite:<path>' or 'postgres://user@host:port/database'`,
  );
}

/** The file of a `sqlite:` string. The default file's directory is made on first use; any other must
 *  exist, so that a mistyped path is an error rather than a new, empty store. */
function sqlitePath(connectionString: string, existingOnly: boolean): string {
  const path = connectionString.slice('sqlite:'.length);
  if (path === '') throw new InvalidArgumentError(`the SQLite connection string needs a file path, e.g. '${DEFAULT_CONNECTION_STRING}'`);
  const file = resolve(path);
  if (existingOnly && !existsSync(file)) throw notCreated(`sqlite:${file}`);
  const directory = dirname(file);
  if (file !== resolve(DEFAULT_CONNECTION_STRING.slice('sqlite:'.length)) && !existsSync(directory)) {
    throw new InvalidArgumentError(`the directory of the SQLite file '${path}' does not exist (${directory}): create it, or correct the path`);
  }
  return path;
}

interface PostgresSettings {
  /** The URL without taskhub's own parameters, for the driver. */
  connectionString: string;
  schema?: string;
  poolSize?: number;
}

/** Takes taskhub's parameters (`schema`, `pool_size`) out of a PostgreSQL URL; the driver's own
 *  (`statement_timeout`, `options`, `sslmode`, …) stay in it. */
function postgresSettings(connectionString: string): PostgresSettings {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new InvalidArgumentError(`the PostgreSQL connection string '${redactConnectionString(connectionString)}' is not a valid URL`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  const poolSizeText = url.searchParams.get('pool_size') ?? undefined;
  let poolSize: number | undefined;
  if (poolSizeText !== undefined) {
    poolSize = Number(poolSizeText);
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
      throw new InvalidArgumentError(`pool_size in the PostgreSQL connection string must be a whole number from 1 to 1000, not '${poolSizeText}'`);
    }
  }
  if (schema === undefined && poolSizeText === undefined) return { connectionString };
  url.searchParams.delete('schema');
  url.searchParams.delete('pool_size');
  return { connectionString: url.toString(), schema, poolSize };
}
