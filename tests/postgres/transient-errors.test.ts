/**
 * A backend whose connections the server killed carries on with new ones: the calls that were using them
 * fail, and the retries the worker makes of every failed call (src/runtime/poll-loop.ts) succeed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
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

describe('PostgreSQL connections the server killed', () => {
  it('pass: after the server kills every pooled connection, the backend works again on new ones', () =>
    withPostgres(async ({ schema, openMigrated, admin }) => {
      const backend = await openMigrated({ poolSize: 4 });
      await Promise.all([0, 1, 2, 3].map((i) => backend.createInstance('hub', startRequest(`before-${i}`))));
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName(schema, 'pool')]);
      assert.ok(killed.rowCount! >= 1);
      // A pooled connection may not have noticed yet: its first use fails; a retry gets a new one.
      for (let attempt = 0; ; attempt++) {
        try {
          assert.deepEqual(await backend.createInstance('hub', startRequest('after')), { created: true });
          break;
        } catch (error) {
          assert.ok(attempt < 4, `retries on new connections succeed (${String(error)})`);
        }
      }
      assert.equal((await backend.getInstance('hub', 'after'))?.status, 'Pending');
    }));

  it('pass: a connection killed in the middle of a transaction fails that call, and nothing else', () =>
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
        assert.match(String(failure), /terminat/i);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      assert.deepEqual(await backend.createInstance('hub', startRequest('next')), { created: true });
    }));
});
