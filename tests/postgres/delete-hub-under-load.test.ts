/**
 * Deleting a hub while a worker runs must leave no row of the hub behind (nothing would ever remove it).
 * The worker commits steps, completes activities and starts sub-orchestrations, and a client raises
 * events, while the hub is deleted; right after the delete, and again once the worker has stopped, every
 * table holds zero rows of the hub. Several rounds, since the race is one of timing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { startHarness } from '../support/harness.js';
import { TEST_PG_URL } from '../support/stores.js';
import { until } from './pg-test-store.js';

const ROUNDS = 6;
const TABLES = ['instances', 'history', 'messages', 'activity_tasks', 'instance_tags', 'instance_histogram'] as const;

describe('PostgreSQL delete-task-hub beside a running worker', () => {
  it('leaves no row of the hub in any table, round after round', async () => {
    const harness = await startHarness('postgres', {});
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    const rowsOfHub = async () => {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const result = await admin.query<{ count: string }>(`SELECT count(*) FROM ${harness.store.schema}.${table} WHERE hub = $1`, [harness.hub]);
        counts[table] = Number(result.rows[0]!.count);
      }
      return counts;
    };
    const none = Object.fromEntries(TABLES.map((table) => [table, 0]));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const ids: string[] = [];
        for (let i = 0; i < 60; i++) {
          const kind = i % 3;
          const id = `r${round}-${i}`;
          ids.push(id);
          if (kind === 0) await harness.client.startNew('Chain', { instanceId: id, input: { steps: 40, delayMs: 0 } });
          else if (kind === 1) await harness.client.startNew('Fan', { instanceId: id, input: { width: 20, delayMs: 0 } });
          else await harness.client.startNew('ParentOfChildren', { instanceId: id });
        }
        await until('the worker to be busy', async () => ((await rowsOfHub()).history ?? 0) > 300, 60_000);
        // Events raised while the hub goes: each lands before the delete or is refused, none after it.
        let raising = true;
        const raiser = (async () => {
          while (raising) {
            await Promise.allSettled(ids.map((id) => harness.client.raiseEvent(id, 'poke', round)));
          }
        })();
        assert.equal(await harness.client.deleteTaskHub(), true);
        raising = false;
        await raiser;
        assert.deepEqual(await rowsOfHub(), none, `round ${round}: rows left right after the delete`);
      }
      await harness.worker!.stop();
      assert.deepEqual(await rowsOfHub(), none, 'rows left once the worker stopped');
    } finally {
      await admin.end();
      await harness.close();
    }
  });
});
