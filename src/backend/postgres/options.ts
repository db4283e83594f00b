/**
 * Options of the PostgreSQL backend, and the one check that makes the schema name safe to splice into SQL.
 */
import { InvalidArgumentError } from '../../errors.js';

export interface PostgresBackendOptions {
  /** `postgres://user:password@host:port/database`; secrets never appear in `description`. */
  connectionString: string;
  /** Schema holding taskhub's tables; several stores can share one database. Default `taskhub`. */
  schema?: string;
  /** Connections in the pool (the LISTEN connection is extra). Default 10. */
  poolSize?: number;
  /** Server-side `statement_timeout` for every pooled connection; unset means the server's default. */
  statementTimeoutMs?: number;
}

export const DEFAULT_SCHEMA = 'taskhub';
export const DEFAULT_POOL_SIZE = 10;

/**
 * Lower-case identifiers only, short enough that `<schema>_signals` stays within PostgreSQL's 63-byte
 * identifier limit: the name is interpolated into SQL (quoted), so it must be checked, not escaped.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

export function validateSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(
      `invalid PostgreSQL schema name '${schema}': use 1-48 characters of a-z, 0-9 and _, not starting with a digit`,
    );
  }
  return schema;
}

/**
 * The `application_name` of a process's connections to a store: the schema and the process id, so an
 * operator (or a test) can tell in pg_stat_activity which store and which worker process a session serves.
 */
export function applicationName(schema: string, role: 'pool' | 'listen', pid: number = process.pid): string {
  return `${role === 'pool' ? 'taskhub' : 'taskhub-listen'} ${schema} pid ${pid}`;
}

/** The connection string without its password, for logs and `Backend.description`. */
export function describeConnection(connectionString: string, schema: string): string {
  try {
    const url = new URL(connectionString);
    url.password = '';
    return `${url.toString()} (schema ${schema})`;
  } catch {
    return `postgres (schema ${schema})`;
  }
}
