/**
 * The histogram rollup counts per server process (a slot each), so an instance created on one connection
 * and finished or purged on another leaves +1 and -1 in two slots. A purge and a deleteHub fold the
 * counters of the minutes they emptied: afterwards no counter of the hub is left, and the histogram still
 * says what the instances say. A fold skips a counter another transaction holds rather than wait for it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import type { PostgresStore } from '../../src/backend/postgres/connection.js';
import { foldHistogram } from '../../src/backend/postgres/histogram-fold.js';
import { tablesOf } from '../../src/backend/postgres/sql.js';
import { startHarness, type Harness } from '../support/harness.js';
import { TEST_PG_URL } from '../support/stores.js';

const ORIGIN = new Date(0);
const MINUTE = 60_000;

async function startAndFinish(harness: Harness, count: number): Promise<void> {
  // Started at once, so the client's starts and the worker's commits spread over several connections.
  const ids = await Promise.all(
    Array.from({ length: count }, (_, i) => (i % 2 === 0 ? harness.client.startNew('Chain', { input: { steps: 3, delayMs: 0 } }) : harness.client.startNew('Fan', { input: { width: 4, delayMs: 0 } }))),
  );
  await Promise.all(ids.map((id) => harness.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 })));
}

/** Instances per minute and status, counted from the instances themselves. */
async function countedFromInstances(admin: pg.Client, harness: Harness) {
  const rows = await admin.query<{ minute: string; status: string; count: string }>(
    `SELECT created_at - created_at % 60000 AS minute, status, count(*) AS count FROM ${harness.store.schema}.instances WHERE hub = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
    [harness.hub],
  );
  return rows.rows.map((row) => ({ intervalStart: Number(row.minute), status: row.status, count: Number(row.count) }));
}

async function histogram(harness: Harness) {
  const counts = await harness.client.instanceHistogram({}, { origin: ORIGIN, intervalMs: MINUTE });
  return [...counts].sort((a, b) => a.intervalStart - b.intervalStart || a.status.localeCompare(b.status));
}

async function counters(admin: pg.Client, harness: Harness): Promise<number> {
  const result = await admin.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${harness.store.schema}.instance_histogram WHERE hub = $1`, [harness.hub]);
  return Number(result.rows[0]!.rows);
}

async function withHarness(body: (harness: Harness, admin: pg.Client) => Promise<void>): Promise<void> {
  const harness = await startHarness('postgres', {});
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await body(harness, admin);
  } finally {
    await admin.end();
    await harness.close();
  }
}

describe('PostgreSQL histogram rollup folding', () => {
  it('a purge by filter or by id leaves the histogram exact, and purging everything leaves no counter of the hub', () =>
    withHarness(async (harness, admin) => {
      // Usually over several slots; should every connection share one, the zero counters are what is left.
      await startAndFinish(harness, 40);

      assert.equal((await harness.client.purgeInstanceHistoryBy({ name: 'Chain' })).instancesDeleted, 20);
      assert.deepEqual(await histogram(harness), await countedFromInstances(admin, harness), 'after a purge by name');
      const [first] = (await harness.client.listInstances({})).instances;
      assert.equal((await harness.client.purgeInstanceHistory(first!.instanceId)).instancesDeleted, 1);
      assert.deepEqual(await histogram(harness), await countedFromInstances(admin, harness), 'after a purge by id');

      assert.equal((await harness.client.purgeInstanceHistoryBy({ runtimeStatus: ['Completed'] })).instancesDeleted, 19);
      assert.equal(await counters(admin, harness), 0);
      assert.deepEqual(await histogram(harness), []);
    }));

  it('a purge folds the minutes it emptied, not the minutes between them', () =>
    withHarness(async (harness, admin) => {
      await startAndFinish(harness, 2);
      const instances = `${harness.store.schema}.instances`;
      const histogram = `${harness.store.schema}.instance_histogram`;
      const ids = (await admin.query<{ instance_id: string }>(`SELECT instance_id FROM ${instances} WHERE hub = $1 ORDER BY instance_id`, [harness.hub])).rows;
      // Two instances created nine minutes apart (the triggers move their counters), and two counters of
      // a minute between them that no purge empties.
      await admin.query(`UPDATE ${instances} SET created_at = 60000 WHERE hub = $1 AND instance_id = $2`, [harness.hub, ids[0]!.instance_id]);
      await admin.query(`UPDATE ${instances} SET created_at = 600000 WHERE hub = $1 AND instance_id = $2`, [harness.hub, ids[1]!.instance_id]);
      await admin.query(`INSERT INTO ${histogram} (hub, status, minute, slot, count) VALUES ($1, 'Running', 300000, 90, 2), ($1, 'Running', 300000, 91, 3)`, [harness.hub]);

      assert.equal((await harness.client.purgeInstanceHistoryBy({})).instancesDeleted, 2);
      const left = await admin.query<{ status: string; minute: string; slot: number; count: string }>(
        `SELECT status, minute, slot, count FROM ${histogram} WHERE hub = $1 AND minute < 3600000 ORDER BY status, minute, slot`,
        [harness.hub],
      );
      assert.deepEqual(left.rows.map((row) => [row.status, Number(row.minute), row.slot, Number(row.count)]), [['Running', 300000, 90, 2], ['Running', 300000, 91, 3]]);
    }));

  it('a deleteHub leaves no counter of the hub', () =>
    withHarness(async (harness, admin) => {
      await startAndFinish(harness, 20);
      await harness.client.startNew('Chain', { input: { steps: 1, delayMs: 60_000 } });
      assert.equal(await harness.client.deleteTaskHub(), true);
      assert.equal(await counters(admin, harness), 0);
    }));

  it('a fold leaves one counter per minute and status, skips one another transaction holds, and keeps every sum', () =>
    withHarness(async (harness, admin) => {
      await startAndFinish(harness, 20);
      const before = await counters(admin, harness);
      const store: PostgresStore = { pool: new pg.Pool({ connectionString: TEST_PG_URL, max: 1 }), tables: tablesOf(harness.store.schema!), channel: 'unused' };
      try {
        await admin.query('BEGIN');
        const held = await admin.query<{ status: string; minute: string; slot: number }>(
          `SELECT status, minute, slot FROM ${harness.store.schema}.instance_histogram WHERE hub = $1 AND status = 'Completed' ORDER BY minute, slot LIMIT 1 FOR UPDATE`,
          [harness.hub],
        );
        assert.equal(held.rowCount, 1);
        try {
          const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the fold waited for the held counter')), 20_000).unref());
          await Promise.race([foldHistogram(store, harness.hub), timeout]);
        } finally {
          await admin.query('COMMIT');
        }
        assert.deepEqual(await histogram(harness), await countedFromInstances(admin, harness), 'every sum kept');
        const groups = await admin.query<{ status: string; minute: string; rows: string; zero: boolean }>(
          `SELECT status, minute, count(*) AS rows, bool_or(count = 0) AS zero FROM ${harness.store.schema}.instance_histogram WHERE hub = $1 GROUP BY 1, 2`,
          [harness.hub],
        );
        const { status, minute } = held.rows[0]!;
        for (const group of groups.rows) {
          const holdsTheHeld = group.status === status && group.minute === minute;
          assert.ok(Number(group.rows) <= (holdsTheHeld ? 2 : 1), `one counter for ${group.status} at ${group.minute}, beside the held one`);
          assert.equal(group.zero, false, `no zero counter for ${group.status} at ${group.minute}`);
        }
        assert.ok((await counters(admin, harness)) < before, 'the fold removed counters');
      } finally {
        await store.pool.end();
      }
    }));
});
