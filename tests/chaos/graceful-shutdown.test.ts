/**
 * Graceful shutdown (docs/deployment.md): a worker told to stop (SIGTERM) finishes the activity in its
 * hands and commits its result before it exits, so nothing is lost and nothing runs twice; the next worker
 * goes on from there.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { spawnWorker, stopGracefully } from '../support/spawn-worker.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { eventually } from '../support/polling.js';
import { readLedger } from '../support/ledger.js';

/** Long enough that SIGTERM lands while the first activity runs. */
const ACTIVITY_MS = 800;

for (const kind of storesUnderTest()) {
  describe(`graceful shutdown of a worker process on ${kind}`, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'taskhub-shutdown-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('SIGTERM mid-activity: the activity finishes and is committed once, and the next worker goes on', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const ledger = join(scratch, `${kind}.ledger`);
      // A long lease: had the result not been committed, the task would stay leased to the stopped worker, and
      // the instance could not finish within the wait below without running the activity again.
      const env = { TASKHUB_TEST_LEASE_MS: '60000', TASKHUB_TEST_LEDGER: ledger };
      try {
        const id = await client.startNew('Chain', { input: { steps: 2, delayMs: ACTIVITY_MS } });
        const first = spawnWorker(store, hub, env);
        await first.ready;
        await eventually('the first activity to start', async () => (readLedger(ledger).includes(`start ${id}:0 1`) ? true : undefined));
        await stopGracefully(first);
        assert.equal(first.child.exitCode, 0, 'the worker exited cleanly');
        assert.ok(readLedger(ledger).includes(`done ${id}:0 1`), 'the activity in hand ran to its end before the exit');
        assert.ok(!readLedger(ledger).some((line) => line.startsWith(`start ${id}:1 `)), 'no new work was taken after SIGTERM');

        const second = spawnWorker(store, hub, env);
        try {
          await second.ready;
          const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 30_000, retryIntervalInMilliseconds: 50 });
          assert.equal(status.output, 3);
        } finally {
          await stopGracefully(second);
        }
        assert.deepEqual(
          readLedger(ledger).filter((line) => line.startsWith('start')),
          [`start ${id}:0 1`, `start ${id}:1 1`],
          'each activity ran once',
        );
        await assertHistoryInvariant(backend, hub, id);
      } finally {
        await backend.close();
        await store.destroy();
      }
    });
  });
}
