/**
 * T01–T03 of docs/reliability.md: `kill -9` a worker process in the middle of orchestration steps and in the
 * middle of an activity; restarted workers finish everything, the history invariant holds, and an
 * activity that ran twice saw the same idempotency key and has exactly one completion in history.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { killHard, spawnWorker, stopGracefully } from '../support/spawn-worker.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { eventually } from '../support/polling.js';
import { readLedger } from '../support/ledger.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';

const LEASE_MS = '700';

for (const kind of storesUnderTest()) {
  describe(`kill -9 of worker processes on ${kind}`, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'taskhub-chaos-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('T01: killing workers at random points mid-run loses and duplicates nothing', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const audit = join(scratch, `${kind}-t01.jsonl`);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push(await client.startNew('Chain', { input: { steps: 4, delayMs: 15 } }));
      for (let i = 0; i < 6; i++) ids.push(await client.startNew('Fan', { input: { width: 8, delayMs: 15 } }));

      // One victim dies between running a step and committing it, the others at arbitrary moments.
      const selfKilledAudit = join(scratch, `${kind}-t01-self-killed.jsonl`);
      const selfKilled = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: LEASE_MS, TASKHUB_TEST_AUDIT: selfKilledAudit, TASKHUB_TEST_DIE_AT_COMMIT: '5' });
      await selfKilled.ready;
      await selfKilled.exited;
      assert.equal(selfKilled.child.signalCode, 'SIGKILL');
      // Steps claimed together commit together, so fewer than four may have been committed before it died.
      assert.ok(readAudit(selfKilledAudit).length <= 4, 'its fifth step was run but never committed');
      for (const killAfterMs of [150, 260, 90]) {
        const victim = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: LEASE_MS, TASKHUB_TEST_AUDIT: audit });
        await victim.ready;
        await delay(killAfterMs);
        await killHard(victim);
      }
      const survivor = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: LEASE_MS, TASKHUB_TEST_AUDIT: audit });
      try {
        await survivor.ready;
        for (const id of ids) {
          const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 50 });
          assert.equal(status.runtimeStatus, 'Completed', id);
          assert.equal(status.output, status.name === 'Chain' ? 10 : 36);
          const events = await assertHistoryInvariant(backend, hub, id);
          const scheduled = events.filter((e) => e.type === 'TaskScheduled').map((e) => e.eventId);
          assert.equal(new Set(scheduled).size, scheduled.length, 'one TaskScheduled per task id');
        }
      } finally {
        await stopGracefully(survivor);
      }
      assertNoOverlap([...readAudit(audit), ...readAudit(selfKilledAudit)]);
      await backend.close();
      if (kind === 'sqlite') assertSqliteIntegrity(store.connectionString);
      await store.destroy();
    });

    it('T02/T03: an activity killed mid-run runs again with the same idempotency key and completes once', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const ledger = join(scratch, `${kind}-t02.ledger`);
      const env = { TASKHUB_TEST_LEASE_MS: LEASE_MS, TASKHUB_TEST_LEDGER: ledger };
      const id = await client.startNew('Chain', { input: { steps: 1, delayMs: 1500 } });

      const victim = spawnWorker(store, hub, env);
      await victim.ready;
      await eventually('the activity to start', async () => (readLedger(ledger).some((l) => l.startsWith('start')) ? true : undefined));
      await killHard(victim);

      const survivor = spawnWorker(store, hub, env);
      try {
        await survivor.ready;
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 30_000, retryIntervalInMilliseconds: 50 });
        assert.equal(status.output, 1);
      } finally {
        await stopGracefully(survivor);
      }
      const lines = readLedger(ledger);
      const starts = lines.filter((l) => l.startsWith('start'));
      const dones = lines.filter((l) => l.startsWith('done'));
      assert.equal(starts.length, 2, 'the activity ran again after the kill');
      assert.equal(dones.length, 1, 'only the second run finished');
      const keys = new Set(starts.map((l) => l.split(' ')[1]));
      assert.deepEqual([...keys], [`${id}:0`], 'both attempts saw the same idempotency key');
      assert.deepEqual(starts.map((l) => l.split(' ')[2]), ['1', '2'], 'the attempt number grew');
      const events = await assertHistoryInvariant(backend, hub, id);
      assert.equal(events.filter((e) => e.type === 'TaskCompleted').length, 1);
      await backend.close();
      await store.destroy();
    });
  });
}

/** T10: a file whose writers were killed mid-transaction is still a sound database. */
function assertSqliteIntegrity(connectionString: string): void {
  const db = new Database(connectionString.slice('sqlite:'.length), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}
