/** isTransientStoreError on failures PostgreSQL and node-postgres really produce, and a backend whose
 *  connections the server killed carrying on with new ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { InvalidArgumentError } from '../../src/errors.js';
import { isTransientStoreError, PostgresBackend } from '../../src/backend/postgres/index.js';
import { applicationName } from '../../src/backend/postgres/options.js';
import { startRequest } from '../../src/testing/conformance/fixtures.js';
import { TEST_PG_URL } from '../support/stores.js';
import { withPostgres } from './pg-test-store.js';

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected a failure');
}

async function connected(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  return client;
}

describe('PostgreSQL transient errors', () => {
  it('include a connection the server terminated (57P01, then the dropped connection)', async () => {
    const victim = await connected();
    const errors: unknown[] = [];
    victim.on('error', (error) => errors.push(error));
    const admin = await connected();
    try {
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const running = failureOf(() => victim.query('SELECT pg_sleep(30)'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const terminated = await running;
      assert.equal((terminated as { code?: string }).code, '57P01');
      assert.ok(isTransientStoreError(terminated));
      const afterwards = await failureOf(() => victim.query('SELECT 1'));
      assert.ok(isTransientStoreError(afterwards), String(afterwards));
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('include a refused connection', async () => {
    const backend = new PostgresBackend({ connectionString: 'postgresql://postgres@127.0.0.1:1/postgres' });
    try {
      const refused = await failureOf(() => backend.now());
      assert.ok(isTransientStoreError(refused), String(refused));
    } finally {
      await backend.close();
    }
  });

  it('include a deadlock the server broke (40P01)', async () => {
    const [first, second] = [await connected(), await connected()];
    const table = `taskhub_test_deadlock_${process.pid}`;
    try {
      await first.query(`CREATE TABLE ${table} (id int primary key); INSERT INTO ${table} VALUES (1), (2)`);
      await first.query('BEGIN');
      await second.query('BEGIN');
      await first.query(`UPDATE ${table} SET id = id WHERE id = 1`);
      await second.query(`UPDATE ${table} SET id = id WHERE id = 2`);
      const outcomes = await Promise.allSettled([
        first.query(`UPDATE ${table} SET id = id WHERE id = 2`),
        second.query(`UPDATE ${table} SET id = id WHERE id = 1`),
      ]);
      const failure = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      assert.equal((failure.reason as { code?: string }).code, '40P01');
      assert.ok(isTransientStoreError(failure.reason));
    } finally {
      await first.query('ROLLBACK').catch(() => undefined);
      await second.query('ROLLBACK').catch(() => undefined);
      await first.query(`DROP TABLE IF EXISTS ${table}`);
      await first.end();
      await second.end();
    }
  });

  it('exclude bugs and bad input: a constraint violation, a syntax error, an invalid argument', async () => {
    const client = await connected();
    try {
      const duplicate = await failureOf(() => client.query('CREATE TEMP TABLE t (x int primary key); INSERT INTO t VALUES (1), (1)'));
      assert.equal((duplicate as { code?: string }).code, '23505');
      assert.equal(isTransientStoreError(duplicate), false);
      const syntax = await failureOf(() => client.query('SELEC 1'));
      assert.equal(isTransientStoreError(syntax), false);
    } finally {
      await client.end();
    }
    assert.equal(isTransientStoreError(new InvalidArgumentError('bad id')), false);
    assert.equal(isTransientStoreError('not an error'), false);
  });

  it('pass: after the server kills every pooled connection, the backend works again on new ones', () =>
    withPostgres(async ({ schema, openMigrated, admin }) => {
      const backend = await openMigrated({ poolSize: 4 });
      await Promise.all([0, 1, 2, 3].map((i) => backend.createInstance('hub', startRequest(`before-${i}`))));
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName(schema, 'pool')]);
      assert.ok(killed.rowCount! >= 1);
      // A pooled connection may not have noticed yet: its first use fails, transiently; a retry gets a new one.
      for (let attempt = 0; ; attempt++) {
        try {
          assert.deepEqual(await backend.createInstance('hub', startRequest('after')), { created: true });
          break;
        } catch (error) {
          assert.ok(isTransientStoreError(error), String(error));
          assert.ok(attempt < 4, 'retries on new connections succeed');
        }
      }
      assert.equal((await backend.getInstance('hub', 'after'))?.status, 'Pending');
    }));

  it('pass: a connection killed in the middle of a transaction fails that call transiently, and nothing else', () =>
    withPostgres(async ({ schema, openMigrated, admin }) => {
      const backend = await openMigrated({ poolSize: 2 });
      await backend.createInstance('hub', startRequest('locked'));
      // Holds the row, so the backend's create (an upsert inside BEGIN … COMMIT) waits mid-transaction.
      const holder = await connected();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT 1 FROM ${schema}.instances WHERE hub = 'hub' AND instance_id = 'locked' FOR UPDATE`);
        const waiting = failureOf(() => backend.createInstance('hub', startRequest('locked')));
        let pids: number[] = [];
        while (pids.length === 0) {
          pids = (await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [applicationName(schema, 'pool')],
          )).rows.map((row) => row.pid);
        }
        await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
        const failure = await waiting;
        assert.ok(isTransientStoreError(failure), String(failure));
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      assert.deepEqual(await backend.createInstance('hub', startRequest('next')), { created: true });
    }));
});
