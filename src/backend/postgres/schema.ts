/**
 * Applies the numbered migrations (../migrate.ts plans them) to the store's schema, in one transaction
 * holding an advisory lock, so processes that start together migrate one after the other and the later
 * ones find nothing left to do.
 */
import {
  APPLIED_MIGRATIONS_SQL,
  MIGRATION_TABLE,
  MIGRATION_TABLE_SQL,
  migrationRecordSql,
  pendingMigrations,
  type AppliedMigration,
  type Migration,
} from '../migrate.js';
import { inTransaction, type PostgresStore } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations/index.js';

/** Whether every migration has been applied to the store's schema, without writing (nor creating the schema). */
export async function postgresSchemaIsCurrent(store: PostgresStore, migrations: readonly Migration[] = POSTGRES_MIGRATIONS): Promise<boolean> {
  const versions = `${store.tables.schema}.${MIGRATION_TABLE}`;
  const existing = await store.pool.query<{ versions_exist: boolean }>('SELECT to_regclass($1) IS NOT NULL AS versions_exist', [versions]);
  if (!existing.rows[0]?.versions_exist) return false;
  const applied = await store.pool.query<AppliedMigration>(`SELECT version, name, checksum FROM ${versions} ORDER BY version`);
  return pendingMigrations(migrations, applied.rows).length === 0;
}

/** Returns the versions it applied. */
export async function applyPostgresMigrations(
  store: PostgresStore,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const { schema } = store.tables;
  return inTransaction(store.pool, async ({ client }) => {
    // Taken before creating the schema: two concurrent CREATE SCHEMA IF NOT EXISTS can otherwise both try
    // to create it, and one fails on the catalog's unique index.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`taskhub:migrate:${schema}`]);
    // Created only when missing: CREATE … IF NOT EXISTS checks the CREATE privilege even when the object
    // exists, and a role that only uses a schema an administrator set up has no such privilege.
    const existing = await client.query<{ schema_exists: boolean; versions_exist: boolean }>(
      `SELECT to_regnamespace($1) IS NOT NULL AS schema_exists, to_regclass($2) IS NOT NULL AS versions_exist`,
      [schema, `${schema}.${MIGRATION_TABLE}`],
    );
    const { schema_exists: schemaExists, versions_exist: versionsExist } = existing.rows[0]!;
    if (!schemaExists) await client.query(`CREATE SCHEMA ${schema}`);
    // The migrations and the version table are written unqualified; SET LOCAL ends with the transaction.
    await client.query(`SET LOCAL search_path TO ${schema}`);
    if (!versionsExist) await client.query(MIGRATION_TABLE_SQL);
    const applied = await client.query<AppliedMigration>(APPLIED_MIGRATIONS_SQL);
    const pending = pendingMigrations(migrations, applied.rows);
    for (const migration of pending) {
      await client.query(migration.sql);
      await client.query(migrationRecordSql(migration));
    }
    return pending.map((migration) => migration.version);
  });
}
