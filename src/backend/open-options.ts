/** What openBackend takes besides the connection string; each store kind reads the options that are its own. */
import { StoreNotCreatedError } from '../errors.js';
export interface OpenBackendOptions {
  /** SQLite durability: 'full' (default, survives power loss) or 'normal' (survives a killed process). */
  sqliteSynchronous?: 'full' | 'normal';
  /** SQLite page cache of the connection, in KiB (default 65,536: 64 MiB, allocated only as pages are read). */
  sqliteCacheSizeKib?: number;
  /** SQLite memory-mapped I/O, in bytes of the file (default 0: off). */
  sqliteMmapSizeBytes?: number;
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

export function storeNotCreated(description: string): StoreNotCreatedError {
  return new StoreNotCreatedError(
    `the store ${description} has no taskhub tables of this version yet; a worker creates and upgrades them (taskhub serve), as does any command that writes`,
  );
}
