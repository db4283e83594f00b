/**
 * Brings the store's schema up to date, in one transaction holding an advisory lock, so processes that
 * start together migrate one after the other and the later ones find nothing left to do: first the
 * numbered migrations (../migrate.ts plans them: tables and indexes), then the server functions
 * (sql/index.ts), each .sql file installed again when its checksum differs from the one recorded.
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
import type pg from 'pg';
import { inTransaction, type PostgresStore, type Queryable } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations/index.js';
import { definedFunctions, definitionChecksum, POSTGRES_DEFINITIONS, type Definition } from './sql/index.js';

const DEFINITION_TABLE = 'taskhub_definitions';

/** Whether every migration has been applied and every definition installed, without writing (nor creating the schema). */
export async function postgresSchemaIsCurrent(
  store: PostgresStore,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
  definitions: readonly Definition[] = POSTGRES_DEFINITIONS,
): Promise<boolean> {
  const versions = `${store.tables.schema}.${MIGRATION_TABLE}`;
  const existing = await store.pool.query<{ versions_exist: boolean }>('SELECT to_regclass($1) IS NOT NULL AS versions_exist', [versions]);
  if (!existing.rows[0]?.versions_exist) return false;
  const applied = await store.pool.query<AppliedMigration>(`SELECT version, name, checksum FROM ${versions} ORDER BY version`);
  if (pendingMigrations(migrations, applied.rows).length > 0) return false;
  return (await outdatedDefinitions(store.pool, `${store.tables.schema}.${DEFINITION_TABLE}`, definitions)).length === 0;
}

/** Returns the versions it applied. */
export async function applyPostgresMigrations(
  store: PostgresStore,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
  definitions: readonly Definition[] = POSTGRES_DEFINITIONS,
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
    // The migrations, the definitions and the version tables are written unqualified; SET LOCAL ends with the transaction.
    await client.query(`SET LOCAL search_path TO ${schema}`);
    if (!versionsExist) await client.query(MIGRATION_TABLE_SQL);
    const applied = await client.query<AppliedMigration>(APPLIED_MIGRATIONS_SQL);
    const pending = pendingMigrations(migrations, applied.rows);
    for (const migration of pending) {
      // A migration whose SQL moved to the definitions applies nothing (migrations/0002_server_functions.ts).
      if (migration.sql !== '') await client.query(migration.sql);
      await client.query(migrationRecordSql(migration));
    }
    await installDefinitions(client, definitions);
    return pending.map((migration) => migration.version);
  });
}

/** Installs the definitions whose text changed since they were last installed (all of them on a new store). */
async function installDefinitions(client: pg.PoolClient, definitions: readonly Definition[]): Promise<void> {
  for (const definition of await outdatedDefinitions(client, DEFINITION_TABLE, definitions)) {
    for (const name of definedFunctions(definition)) await client.query(`DROP FUNCTION IF EXISTS ${name}`);
    await client.query(definition.sql);
    await client.query(
      `INSERT INTO ${DEFINITION_TABLE} (name, checksum) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum`,
      [definition.name, definitionChecksum(definition)],
    );
  }
}

/** The definitions not installed as they are now. `table` is the definitions table (qualified or not). */
async function outdatedDefinitions(db: Queryable, table: string, definitions: readonly Definition[]): Promise<Definition[]> {
  if (definitions.length === 0) return [];
  const recorded = await db.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${table}`);
  const installed = new Map(recorded.rows.map((row) => [row.name, row.checksum]));
  return definitions.filter((definition) => installed.get(definition.name) !== definitionChecksum(definition));
}
