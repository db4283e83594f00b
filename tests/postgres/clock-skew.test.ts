/**
 * docs/reliability.md, T14 on PostgreSQL: two worker processes whose clocks are an hour ahead and an hour behind
 * (libfaketime), running durable timers computed by orchestrator code from Date.now(), and activities
 * longer than their lease. Timers and leases follow the store's clock only: every timer fires at or after
 * the time the code asked for (the skewed worker's Date.now() in orchestrator code is the step's time from
 * the store), no timer fires an hour early or late, and no lease is taken from a worker that holds it
 * (each activity runs once). SQLite has no clock but the machine's, which every process sharing a file shares.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { readAudit } from '../support/audit.js';
import { readLedger } from '../support/ledger.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { waitUntilAllFinished } from '../support/mixed-workload.js';

/** Debian's libfaketime (`apt-get install faketime`). */
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].find(existsSync);
const HOUR_MS = 3_600_000;
const TIMER_DELAY_MS = 2000;
const LEASE_MS = 2000;
const ACTIVITY_MS = 3000;
const TIMERS = 12;
const CHAINS = 4;

describe('PostgreSQL: workers whose clocks are an hour off', { skip: !storesUnderTest().includes('postgres') ? 'PostgreSQL is not under test' : !LIBFAKETIME ? 'libfaketime is not installed (apt-get install faketime)' : false }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-clock-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('T14: timers and leases follow the store clock; Date.now() in orchestrator code is the step time; nothing fires early', async (t) => {
    const store = await createTestStore('postgres');
    const backend = await store.open();
    const hub = randomHub();
    const client = new TaskHubClient({ backend, hub });
    const ledger = join(scratch, `${hub}.ledger`);
    const workers: WorkerProcess[] = [];
    try {
      const skews = { ahead: '+1h', behind: '-1h' };
      for (const [name, offset] of Object.entries(skews)) {
        workers.push(
          spawnWorker(store, hub, {
            LD_PRELOAD: LIBFAKETIME!,
            FAKETIME: offset,
            // libuv's timers run on the monotonic clock: only the wall clock moves.
            FAKETIME_DONT_FAKE_MONOTONIC: '1',
            TASKHUB_TEST_LEASE_MS: String(LEASE_MS),
            TASKHUB_TEST_WORKER_ID: `skewed-${name}`,
            TASKHUB_TEST_AUDIT: join(scratch, `${hub}-${name}.jsonl`),
            TASKHUB_TEST_LEDGER: ledger,
          }),
        );
      }
      await Promise.all(workers.map((worker) => worker.ready));
      const skewsSeen = workers.map((worker) => Number(/^clock (\d+)$/m.exec(worker.stdout())![1]) - Date.now());
      assert.ok(Math.abs(skewsSeen[0]! - HOUR_MS) < 60_000 && Math.abs(skewsSeen[1]! + HOUR_MS) < 60_000, `the workers' clocks are off by ${skewsSeen.join(' and ')} ms`);

      const lateness: number[] = [];
      const started = new Map<string, number>();
      for (let i = 0; i < TIMERS; i++) {
        const id = `timer-${i}`;
        started.set(id, Date.now());
        await client.startNew('ClockedTimer', { instanceId: id, input: { delayMs: TIMER_DELAY_MS } });
      }
      for (let i = 0; i < CHAINS; i++) await client.startNew('Chain', { instanceId: `chain-${i}`, input: { steps: 2, delayMs: ACTIVITY_MS } });
      await waitUntilAllFinished(client, TIMERS + CHAINS, 120_000);

      for (const [id, startedAt] of started) {
        const status = await client.getStatus(id);
        assert.equal(status?.runtimeStatus, 'Completed', `${id}: ${JSON.stringify(status?.output)}`);
        const events = await assertHistoryInvariant(backend, hub, id);
        const steps = events.filter((event) => event.type === 'OrchestratorStarted').map((event) => Date.parse(event.timestamp));
        const created = events.find((event) => event.type === 'TimerCreated');
        assert.ok(created?.type === 'TimerCreated');
        const fireAt = Date.parse(created.fireAt);
        assert.equal(status.output, created.fireAt, `${id}: the code computed the timer it created`);
        assert.equal(fireAt - steps[0]!, TIMER_DELAY_MS, `${id}: Date.now() in the code was the step's time`);
        assert.ok(Math.abs(steps[0]! - startedAt) < 30_000, `${id}: the step's time is the store's, not a clock an hour off (${steps[0]! - startedAt} ms from the start)`);
        assert.ok(steps[1]! >= fireAt, `${id}: the timer fired ${fireAt - steps[1]!} ms early`);
        assert.ok(steps[1]! - fireAt < 30_000, `${id}: the timer fired ${steps[1]! - fireAt} ms late`);
        lateness.push(steps[1]! - fireAt);
      }
      t.diagnostic(`the timers fired ${Math.min(...lateness)}–${Math.max(...lateness)} ms after their fireAt`);
      const starts = readLedger(ledger).filter((line) => line.startsWith('start '));
      assert.equal(starts.length, CHAINS * 2, `each activity longer than its lease ran once: ${starts.join(', ')}`);
      const byWorker = ['ahead', 'behind'].map((name) => readAudit(join(scratch, `${hub}-${name}.jsonl`)).length);
      t.diagnostic(`steps committed by the worker an hour ahead: ${byWorker[0]}, by the one an hour behind: ${byWorker[1]}`);
      assert.ok(byWorker.every((count) => count > 0), 'both skewed workers ran steps');
    } finally {
      await Promise.all(workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null).map(stopGracefully));
      await backend.close();
      await store.destroy();
    }
  });
});
