/** S-STORE-3: several worker processes share one store; no instance is ever run by two at once. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { spawnWorker, stopGracefully } from '../support/spawn-worker.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';

for (const kind of storesUnderTest()) {
  describe(`two worker processes on one ${kind} store`, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'taskhub-multi-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('complete every instance, and no instance is processed by two workers at once', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const audits = [join(scratch, `${kind}-a.jsonl`), join(scratch, `${kind}-b.jsonl`)];
      const workers = audits.map((audit) => spawnWorker(store, hub, { TASKHUB_TEST_AUDIT: audit }));
      try {
        await Promise.all(workers.map((w) => w.ready));
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) ids.push(await client.startNew('Chain', { input: { steps: 3, delayMs: 2 } }));
        for (let i = 0; i < 10; i++) ids.push(await client.startNew('Fan', { input: { width: 6, delayMs: 2 } }));
        for (const id of ids) {
          const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 50 });
          assert.equal(status.runtimeStatus, 'Completed');
          assert.equal(status.output, status.name === 'Chain' ? 6 : 21);
          await assertHistoryInvariant(backend, hub, id);
        }
      } finally {
        await Promise.all(workers.map(stopGracefully));
      }
      const records = audits.flatMap(readAudit);
      assert.ok(records.length >= 40 * 4 + 10 * 2, 'every step was audited (a chain takes 4 steps, a fan-out at least 2)');
      assertNoOverlap(records);
      await backend.close();
      await store.destroy();
    });
  });
}
