/** Schema migrations on PostgreSQL: idempotent, safe when processes migrate at once, checked against edits. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { PostgresBackend } from '../../src/backend/postgres/index.js';
import { applyPostgresMigrations } from '../../src/backend/postgres/schema.js';
import { POSTGRES_MIGRATIONS } from '../../src/backend/postgres/migrations/index.js';
import { POSTGRES_DEFINITIONS, type Definition } from '../../src/backend/postgres/sql/index.js';
import { FINISHED_STATUSES } from '../../src/core/history.js';
import { PENDING_CLAIMABLE_BY } from '../../src/backend/step-commit.js';
import { channelOf } from '../../src/backend/postgres/signals.js';
import { tablesOf } from '../../src/backend/postgres/sql.js';
import type { PostgresStore } from '../../src/backend/postgres/connection.js';
import { TEST_PG_URL } from '../support/stores.js';
import { withPostgres } from './pg-test-store.js';

const TABLES = ['activity_tasks', 'history', 'instance_histogram', 'instance_tags', 'instances', 'messages', 'operation_keys', 'taskhub_definitions', 'taskhub_migrations'];

async function tablesIn(admin: pg.Client, schema: string): Promise<string[]> {
  const result = await admin.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return result.rows.map((row) => row.table_name);
}

/** Columns, indexes and functions of a schema, with its name taken out so that two schemas compare. */
async function schemaObjects(admin: pg.Client, schema: string): Promise<string[]> {
  const result = await admin.query<{ object: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS object
       FROM information_schema.columns WHERE table_schema = $1
     UNION ALL
     SELECT indexdef FROM pg_indexes WHERE schemaname = $1
     UNION ALL
     SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1)
     ORDER BY 1`,
    [schema],
  );
  return result.rows.map((row) => row.object.replaceAll(schema, '<schema>'));
}

/** A pool of one connection, and the store of a schema on it. */
async function withPool(work: (store: (schema: string) => PostgresStore) => Promise<void>): Promise<void> {
  const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 1 });
  try {
    await work((schema) => ({ pool, tables: tablesOf(schema), channel: channelOf(schema) }));
  } finally {
    await pool.end();
  }
}

async function functionOid(admin: pg.Client, schema: string, name: string): Promise<number | undefined> {
  const result = await admin.query<{ oid: number }>('SELECT p.oid FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1) AND p.proname = $2', [schema, name]);
  return result.rows[0]?.oid;
}

async function functionArguments(admin: pg.Client, schema: string, name: string): Promise<string> {
  const result = await admin.query<{ args: string }>(
    'SELECT pg_get_function_arguments(p.oid) AS args FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1) AND p.proname = $2',
    [schema, name],
  );
  return result.rows.map((row) => row.args).join('; ');
}

async function appliedVersions(admin: pg.Client, schema: string): Promise<number[]> {
  const result = await admin.query<{ version: number }>(`SELECT version FROM ${schema}.taskhub_migrations ORDER BY version`);
  return result.rows.map((row) => row.version);
}

describe('PostgreSQL migrations', () => {
  it('create the schema and its tables, and do nothing the second time', () =>
    withPostgres(async ({ schema, open, admin }) => {
      const backend = open();
      await backend.migrate();
      await backend.migrate();
      await open().migrate();
      assert.deepEqual(await tablesIn(admin, schema), TABLES);
      assert.deepEqual(await appliedVersions(admin, schema), POSTGRES_MIGRATIONS.map((migration) => migration.version));
    }));

  it('are safe when several processes migrate a fresh schema at the same moment', () =>
    withPostgres(async ({ schema, open, admin }) => {
      const backends = Array.from({ length: 6 }, () => open({ poolSize: 1 }));
      await Promise.all(backends.map((backend) => backend.migrate()));
      assert.deepEqual(await tablesIn(admin, schema), TABLES);
      assert.deepEqual(await appliedVersions(admin, schema), POSTGRES_MIGRATIONS.map((migration) => migration.version));
    }));

  it('need no CREATE privilege once the schema is set up: a role that may only use it migrates and works', () =>
    withPostgres(async ({ schema, open, admin }) => {
      await open().migrate();
      const role = `taskhub_test_role_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      try {
        await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
        await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
        await admin.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
        const url = new URL(TEST_PG_URL);
        url.username = role;
        const backend = new PostgresBackend({ connectionString: url.toString(), schema });
        try {
          await backend.migrate();
          const request = { instanceId: 'a', executionId: 'e', name: 'Orchestrator', startEvent: started('e') };
          assert.deepEqual(await backend.createInstance('hub', request), { created: true });
          assert.equal((await backend.claimOrchestrations('hub', { workerId: 'w', max: 1, leaseMs: 60_000 })).length, 1);
        } finally {
          await backend.close();
        }
      } finally {
        await admin.query(`DROP OWNED BY ${role}`);
        await admin.query(`DROP ROLE ${role}`);
      }
    }));

  it('upgrade a store made by the first version to the same schema as a fresh one, keeping its work', () =>
    withPostgres(async ({ schema: upgraded, open, admin }) => {
      const backend = open();
      await withPool(async (store) => assert.deepEqual(await applyPostgresMigrations(store(upgraded), POSTGRES_MIGRATIONS.slice(0, 1), []), [1]));
      // An instance waiting to start, as the first version wrote it.
      await admin.query(
        `INSERT INTO ${upgraded}.instances (hub, instance_id, execution_id, name, status, created_at, last_updated_at, ready_at)
        VALUES ('hub', 'old', 'e', 'Orchestrator', 'Pending', 1, 1, 1)`,
      );
      await admin.query(
        `INSERT INTO ${upgraded}.messages (hub, instance_id, execution_id, event_type, event, visible_at)
        VALUES ('hub', 'old', 'e', 'ExecutionStarted', $1, 1)`,
        [JSON.stringify(started('e'))],
      );

      await backend.migrate();
      assert.deepEqual(await appliedVersions(admin, upgraded), POSTGRES_MIGRATIONS.map((migration) => migration.version));
      // The histogram's rollup was backfilled with it.
      assert.deepEqual(await backend.instanceHistogram('hub', { origin: 0, intervalMs: 60_000 }), [{ intervalStart: 0, status: 'Pending', count: 1 }]);
      const [item] = await backend.claimOrchestrations('hub', { workerId: 'w', max: 1, leaseMs: 60_000 });
      assert.equal(item?.instance.instanceId, 'old');
      assert.deepEqual(item.messages.map((message) => message.event), [started('e')]);

      await withPostgres(async ({ schema: fresh, openMigrated }) => {
        await openMigrated();
        assert.deepEqual(await schemaObjects(admin, upgraded), await schemaObjects(admin, fresh));
      });
    }));

  it('upgrade the server functions of an older version, unrecorded or recorded with another text, to those of a fresh store', () =>
    withPostgres(async ({ schema: upgraded, open, admin }) => {
      // An older version: the functions as migration 0002 created them, with no record (here: this
      // version's, with a changed body and an argument more), and a recorded definition whose text changed.
      const older: Definition[] = POSTGRES_DEFINITIONS.map((definition) => ({
        name: definition.name,
        sql: definition.sql.replace('CREATE FUNCTION now_ms() RETURNS bigint', () => 'CREATE FUNCTION now_ms(p_unused integer DEFAULT 0) RETURNS bigint'),
      }));
      assert.notEqual(older[0]!.sql, POSTGRES_DEFINITIONS[0]!.sql);
      await withPool(async (store) => {
        await applyPostgresMigrations(store(upgraded), POSTGRES_MIGRATIONS.slice(0, 2), []);
        await admin.query(`SET search_path TO ${upgraded}`);
        for (const definition of older) await admin.query(definition.sql);
        await admin.query('RESET search_path');
        await applyPostgresMigrations(store(upgraded), POSTGRES_MIGRATIONS, older.slice(0, 1));
      });
      assert.match(await functionArguments(admin, upgraded, 'now_ms'), /p_unused/);

      await open().migrate();
      await withPostgres(async ({ schema: fresh, openMigrated }) => {
        await openMigrated();
        assert.deepEqual(await schemaObjects(admin, upgraded), await schemaObjects(admin, fresh));
      });
      const backend = open();
      assert.equal(await backend.isMigrated(), true);
      await backend.createInstance('hub', { instanceId: 'a', executionId: 'e', name: 'Orchestrator', startEvent: started('e') });
      assert.equal((await backend.claimOrchestrations('hub', { workerId: 'w', max: 1, leaseMs: 60_000 })).length, 1);
    }));

  it('re-create a definition only when its text changed, and count a store with an outdated one as not migrated', () =>
    withPostgres(async ({ schema, open, admin }) => {
      await open().migrate();
      const before = await functionOid(admin, schema, 'commit_steps');
      await open().migrate();
      assert.equal(await functionOid(admin, schema, 'commit_steps'), before);
      await admin.query(`UPDATE ${schema}.taskhub_definitions SET checksum = 'older' WHERE name = 'commit'`);
      assert.equal(await open().isMigrated(), false);
      await open().migrate();
      assert.notEqual(await functionOid(admin, schema, 'commit_steps'), before);
      assert.equal(await open().isMigrated(), true);
    }));

  it('refuse to run when an applied migration was edited since', () =>
    withPostgres(async ({ schema, open }) => {
      await open().migrate();
      const edited = POSTGRES_MIGRATIONS.map((migration) => ({ ...migration, sql: `${migration.sql}\n-- edited` }));
      await withPool((store) => assert.rejects(applyPostgresMigrations(store(schema), edited), /must never be edited/));
    }));

  it('keep two schemas in one database apart: their tables and their hubs', () =>
    withPostgres(async ({ openMigrated }) => {
      const first = await openMigrated();
      await withPostgres(async ({ openMigrated: openOther }) => {
        const second = await openOther();
        const request = { instanceId: 'same-id', executionId: 'e', name: 'Orchestrator', startEvent: started('e') };
        assert.deepEqual(await first.createInstance('hub', request), { created: true });
        assert.deepEqual(await second.createInstance('hub', request), { created: true });
        await second.deleteHub('hub');
        assert.notEqual(await first.getInstance('hub', 'same-id'), undefined);
        assert.equal(await second.getInstance('hub', 'same-id'), undefined);
      });
    }));

  it('define claimability in their server functions as src/backend/step-commit.ts does', () => {
    const claimsPending = `SELECT p_event_type IN (${PENDING_CLAIMABLE_BY.map((type) => `'${type}'`).join(', ')})`;
    assert.ok(POSTGRES_DEFINITIONS.some((definition) => definition.sql.includes(claimsPending)), claimsPending);
    assert.ok(POSTGRES_DEFINITIONS.every((definition) => !definition.sql.includes("'ExecutionTerminated'") || definition.sql.includes(claimsPending)), 'stated once');
  });

  it('name the finished statuses in their server functions as the engine does', () => {
    const finished = `IN (${FINISHED_STATUSES.map((status) => `'${status}'`).join(', ')})`;
    assert.ok(POSTGRES_DEFINITIONS.some((definition) => definition.sql.includes(finished)), finished);
  });

  it('reject schema names that are not plain lower-case identifiers', () => {
    for (const schema of ['', 'Taskhub', '1abc', 'a-b', 'a b', 'x"; DROP TABLE y; --', 'a'.repeat(49)]) {
      assert.throws(() => new PostgresBackend({ connectionString: TEST_PG_URL, schema }), InvalidArgumentError, schema);
    }
  });
});

function started(executionId: string) {
  return { type: 'ExecutionStarted' as const, eventId: -1, timestamp: '2024-01-01T00:00:00.000Z', name: 'Orchestrator', executionId };
}
