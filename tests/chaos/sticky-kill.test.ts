/**
 * Sticky execution survives its worker (docs/adr/0028-sticky-execution.md): `kill -9` of the worker that
 * holds a chain's live run mid-chain loses nothing; another worker, which never saw the instance, replays
 * its history from the store and finishes it with the same result, each activity's completion once. So
 * does its death after it computed a step ahead from that run and before it committed the step with the
 * activity's result (docs/adr/0029): nothing of it was written, the activity runs again and completes once.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { killHard, spawnWorker, stopGracefully } from '../support/spawn-worker.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { eventually } from '../support/polling.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';

const STEPS = 30;

for (const kind of storesUnderTest()) {
  describe(`kill -9 of a caching worker on ${kind}`, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'taskhub-sticky-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('another worker replays the chain from the store and finishes it', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const id = await client.startNew('Chain', { input: { steps: STEPS, delayMs: 20 } });
      const firstAudit = join(scratch, `${kind}-first.jsonl`);
      const secondAudit = join(scratch, `${kind}-second.jsonl`);
      // The worker runs with the default cache: every step after its first continues the run it kept.
      const first = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '700', TASKHUB_TEST_AUDIT: firstAudit, TASKHUB_TEST_WORKER_ID: 'first' });
      await first.ready;
      await eventually('ten committed steps', async () => (readAudit(firstAudit).length >= 10 ? true : undefined), 30_000);
      await killHard(first);
      const killedAt = readAudit(firstAudit).length;
      assert.ok(killedAt < STEPS + 1, 'killed mid-chain');
      const second = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '700', TASKHUB_TEST_AUDIT: secondAudit, TASKHUB_TEST_WORKER_ID: 'second' });
      try {
        await second.ready;
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 50 });
        assert.equal(status.runtimeStatus, 'Completed');
        assert.equal(status.output, (STEPS * (STEPS + 1)) / 2);
        const events = await assertHistoryInvariant(backend, hub, id);
        const completed = events.filter((e) => e.type === 'TaskCompleted').map((e) => (e as { taskScheduledId: number }).taskScheduledId);
        assert.deepEqual(completed, Array.from({ length: STEPS }, (_, i) => i), 'each activity completed once, in order');
      } finally {
        await stopGracefully(second);
      }
      const steps = [...readAudit(firstAudit), ...readAudit(secondAudit)];
      assert.ok(readAudit(secondAudit).length > 0, 'the second worker finished the chain');
      assertNoOverlap(steps);
      await backend.close();
      await store.destroy();
    });

    it('a worker killed between a step computed ahead and its commit with the result loses nothing and runs nothing twice', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const id = await client.startNew('Chain', { input: { steps: 5, delayMs: 20 } });
      const firstAudit = join(scratch, `${kind}-ahead-first.jsonl`);
      const secondAudit = join(scratch, `${kind}-ahead-second.jsonl`);
      const first = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '700', TASKHUB_TEST_AUDIT: firstAudit, TASKHUB_TEST_DIE_AT_STEP_WITH_ACTIVITY: '3' });
      await first.ready;
      await first.exited;
      assert.equal(first.child.signalCode, 'SIGKILL');
      assert.deepEqual(readAudit(firstAudit).map((record) => record.withActivity), [false, true, true], 'the third step computed ahead was never committed');
      const second = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '700', TASKHUB_TEST_AUDIT: secondAudit, TASKHUB_TEST_WORKER_ID: 'second' });
      try {
        await second.ready;
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 50 });
        assert.equal(status.output, 15);
        const events = await assertHistoryInvariant(backend, hub, id);
        const completed = events.filter((e) => e.type === 'TaskCompleted').map((e) => (e as { taskScheduledId: number }).taskScheduledId);
        assert.deepEqual(completed, [0, 1, 2, 3, 4], 'each activity completed once, in order');
      } finally {
        await stopGracefully(second);
      }
      assertNoOverlap([...readAudit(firstAudit), ...readAudit(secondAudit)]);
      await backend.close();
      await store.destroy();
    });
  });
}
