/**
 * The functions' generic plans are made once per connection, often while the tables are still empty, and
 * kept as they grow (docs/scale-out.md, "Plans"): a statement that finds an instance's rows through
 * anything but a primary key range may then read every row of the hub for each instance. Tagged starts
 * and a step's setTags once looked the instance up by `instance_id =`, which such a plan served through
 * instances_by_hub_status: a seed of 100,000 tagged instances took 412 s and grew with the square of its
 * size. Counted here with the server's own statistics of index reads, flushed when the connections close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { claimAll, commitOk, start, stepCommit } from '../../src/testing/conformance/fixtures.js';
import { withPostgres } from './pg-test-store.js';

const ROUNDS = 12;
const PER_ROUND = 100;

async function flushedStatistics(admin: pg.Client, schema: string, inserted: number) {
  // A connection flushes its statistics when it exits; every insert counted means every writer has.
  for (let attempt = 0; attempt < 100; attempt++) {
    const tables = await admin.query<{ inserted: string }>(
      `SELECT n_tup_ins AS inserted FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'instances'`,
      [schema],
    );
    if (Number(tables.rows[0]?.inserted ?? 0) >= inserted) {
      const indexes = await admin.query<{ index: string; read: string }>(
        `SELECT indexrelname AS index, idx_tup_read AS read FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname = 'instances'`,
        [schema],
      );
      return new Map(indexes.rows.map((row) => [row.index, Number(row.read)]));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the connections did not report their inserts within 10 s');
}

describe('PostgreSQL plans made while the tables were empty', () => {
  it('tagged starts and a step\'s setTags read no other instance of the hub', () =>
    withPostgres(async ({ schema, openMigrated, admin }) => {
      const backend = await openMigrated();
      const count = ROUNDS * PER_ROUND;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          await Promise.all(Array.from({ length: PER_ROUND }, (_, k) => start(backend, 'hub', `i-${round}-${k}`, { tags: { tenant: `t-${k % 7}` } })));
        }
        for (const item of await claimAll(backend, 'hub')) {
          await commitOk(backend, 'hub', item, stepCommit(item, 'Running', [{ op: 'setTags', set: { tier: 'gold' }, remove: ['tenant'] }]));
        }
        const [status] = await backend.getInstances('hub', ['i-0-1'], { includeInput: false });
        assert.deepEqual(status?.tags, { tier: 'gold' });
      } finally {
        await backend.close();
      }
      const reads = await flushedStatistics(admin, schema, count);
      // Each instance is read a few times through its primary key (the claim, the commit); with the
      // plan that walked the hub, instances_by_hub_status alone read about count² / 2 entries.
      assert.ok((reads.get('instances_by_hub_status') ?? 0) < count, `instances_by_hub_status read ${reads.get('instances_by_hub_status')} entries for ${count} instances`);
    }));
});
