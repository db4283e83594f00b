/**
 * Numbered schema migrations, shared by every SQL backend (docs/storage.md). A backend keeps its tables and
 * indexes as a list of migrations (TS modules exporting SQL strings, so tsc ships them), never edits one once
 * released, and applies them with the version table below:
 *
 *   in one transaction that excludes other migrators (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock)
 *     exec(MIGRATION_TABLE_SQL)
 *     applied = SELECT version, name, checksum FROM taskhub_migrations
 *     for each m of pendingMigrations(list, applied): exec(m.sql); exec(migrationRecordSql(m))
 *
 * Only this planning is shared; running the transaction is each backend's own (synchronous on SQLite, so
 * no other statement of the process can slip into the migration's transaction while it awaits).
 */
import { createHash } from 'node:crypto';

export interface Migration {
  /** 1, 2, 3…: no gaps, applied in this order. */
  version: number;
  /** Lowercase words joined by `_`, e.g. `initial`; it names the file `NNNN_<name>.ts`. */
  name: string;
  sql: string;
  /**
   * The checksum it was released with, when its SQL moved elsewhere since (PostgreSQL's server functions
   * to repeatable definitions, ADR 0008): stores that applied it keep checking against the released text.
   */
  releasedChecksum?: string;
}

/** A row of the version table. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

export const MIGRATION_TABLE = 'taskhub_migrations';

/** Valid on SQLite and PostgreSQL alike. */
export const MIGRATION_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${MIGRATION_TABLE} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL
)`;

export const APPLIED_MIGRATIONS_SQL = `SELECT version, name, checksum FROM ${MIGRATION_TABLE} ORDER BY version`;

const MIGRATION_NAME = /^[a-z0-9]+(_[a-z0-9]+)*$/;

/** Detects a released migration that was edited afterwards: its recorded checksum no longer matches. */
export function migrationChecksum(migration: Migration): string {
  return migration.releasedChecksum ?? createHash('sha256').update(migration.sql).digest('hex');
}

/** The statement recording `migration` as applied. Literal values are safe: names are validated, the
 *  checksum is hex, and the version an integer; no caller text reaches it. */
export function migrationRecordSql(migration: Migration): string {
  validateMigration(migration);
  return `INSERT INTO ${MIGRATION_TABLE} (version, name, checksum) VALUES (${migration.version}, '${migration.name}', '${migrationChecksum(migration)}')`;
}

/**
 * The migrations still to apply, in order. Throws when the list is malformed, when an applied migration
 * was renamed or edited, or when the database holds migrations this code does not know (it is newer).
 */
export function pendingMigrations(migrations: readonly Migration[], applied: readonly AppliedMigration[]): Migration[] {
  validateMigrationList(migrations);
  for (const row of applied) {
    const known = migrations[row.version - 1];
    if (known === undefined) {
      throw new Error(`the database has schema migration ${row.version} (${row.name}), newer than this version of taskhub knows; upgrade taskhub`);
    }
    if (known.name !== row.name || migrationChecksum(known) !== row.checksum) {
      throw new Error(`schema migration ${row.version} (${known.name}) differs from the one applied to the database (${row.name}); released migrations must never be edited`);
    }
  }
  const appliedVersions = new Set(applied.map((row) => row.version));
  return migrations.filter((migration) => !appliedVersions.has(migration.version));
}

function validateMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    validateMigration(migration);
    if (migration.version !== index + 1) {
      throw new Error(`schema migration '${migration.name}' has version ${migration.version}; expected ${index + 1} (versions are 1, 2, 3… without gaps)`);
    }
  });
}

function validateMigration(migration: Migration): void {
  if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
    throw new Error(`schema migration '${migration.name}' has an invalid version ${migration.version}`);
  }
  if (!MIGRATION_NAME.test(migration.name)) {
    throw new Error(`schema migration ${migration.version} has an invalid name '${migration.name}' (lowercase words joined by '_')`);
  }
}
