/** Applies the numbered migrations to a SQLite file, synchronously in one BEGIN IMMEDIATE transaction, so
 *  concurrent migrators in other processes wait (busy timeout) and then find nothing left to do. */
import type Database from 'better-sqlite3';
import {
  APPLIED_MIGRATIONS_SQL,
  MIGRATION_TABLE,
  MIGRATION_TABLE_SQL,
  migrationRecordSql,
  pendingMigrations,
  type AppliedMigration,
  type Migration,
} from '../migrate.js';
import { SQLITE_MIGRATIONS } from './migrations/index.js';

/** Whether every migration has been applied, without writing (nor creating the version table). */
export function sqliteSchemaIsCurrent(db: Database.Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): boolean {
  const versions = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATION_TABLE);
  if (versions === undefined) return false;
  return pendingMigrations(migrations, db.prepare<[], AppliedMigration>(APPLIED_MIGRATIONS_SQL).all()).length === 0;
}

/** Returns the versions it applied. */
export function applySqliteMigrations(db: Database.Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number[] {
  const run = db.transaction(() => {
    db.exec(MIGRATION_TABLE_SQL);
    const applied = db.prepare<[], AppliedMigration>(APPLIED_MIGRATIONS_SQL).all();
    const pending = pendingMigrations(migrations, applied);
    for (const migration of pending) {
      db.exec(migration.sql);
      db.exec(migrationRecordSql(migration));
    }
    return pending.map((migration) => migration.version);
  });
  return run.immediate();
}
