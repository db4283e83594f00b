/**
 * T07 of docs/reliability.md, bounded: PostgreSQL is stopped (fast shutdown: every session ended, open
 * transactions rolled back), kept down for 1–2 s and started again, three times, while three worker
 * processes run a few hundred mixed instances. The workers are never restarted: they reconnect on their
 * own, and every instance completes once, with nothing lost or duplicated.
 *
 * This stops the shared server, so it is not part of `npm test`: run it alone with `npm run test:chaos`.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TaskHubClient, type StepAuditRecord } from '../../src/index.js';
import { createTestStore, randomHub } from '../support/stores.js';
import { spawnWorker, stopGracefully } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import {
  assertFinishedAtMostOnce,
  assertOutcomes,
  planMix,
  raiseAllEvents,
  startAll,
  waitUntilAllFinished,
} from '../support/mixed-workload.js';
import { ensureClusterRunning, startCluster, stopCluster, whyNotControllable } from './local-cluster.js';

/** How long the server stays down in each outage; the number of outages is this list's length. */
const DOWNTIMES_MS = [1000, 2000, 1500];
/** Work runs this long between one restart and the next stop. */
const UPTIME_MS = 2500;
const DRAIN_TIMEOUT_MS = 180_000;

describe('PostgreSQL restarts under load', { skip: whyNotControllable() }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-chaos-pg-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('T07: three workers survive three restarts; every instance completes once', async (t) => {
    const store = await createTestStore('postgres');
    const backend = await store.open();
    const hub = randomHub();
    const client = new TaskHubClient({ backend, hub });
    const ledger = join(scratch, 'activities.ledger');
    const plan = planMix(
      {
        chains: 100,
        fans: 40,
        sleeps: 60,
        approvals: 50,
        counters: 50,
        chainSteps: 40,
        fanWidth: 10,
        activityDelayMs: 300,
        sleepSeconds: [1, 20],
      },
      'chaos-',
    );
    const audits = [1, 2, 3].map((n) => join(scratch, `worker-${n}.jsonl`));
    const workers = audits.map((audit) =>
      spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '1000', TASKHUB_TEST_AUDIT: audit, TASKHUB_TEST_LEDGER: ledger }),
    );
    // The events are raised in slices between the outages, never while one begins: a send cut off by the
    // shutdown could not tell whether it was delivered, and resending an Add would change a total.
    const eventSlices = slices(
      plan.filter((instance) => instance.events.length > 0),
      DOWNTIMES_MS.length + 1,
    );
    const upAt: number[] = [];
    const inFlightAtStop: number[] = [];
    try {
      await Promise.all(workers.map((worker) => worker.ready));
      await startAll(client, plan);
      for (const [round, downtimeMs] of DOWNTIMES_MS.entries()) {
        await raiseAllEvents(client, eventSlices[round]!);
        await delay(UPTIME_MS);
        inFlightAtStop.push(await unfinished(client));
        await stopCluster();
        await delay(downtimeMs);
        await startCluster();
        upAt.push(Date.now());
      }
      await raiseAllEvents(client, eventSlices[DOWNTIMES_MS.length]!);
      assert.ok(inFlightAtStop.every((count) => count > 0), `instances were in flight at every stop (${inFlightAtStop.join(', ')})`);
      await waitUntilAllFinished(client, plan.length, DRAIN_TIMEOUT_MS);
      t.diagnostic(
        `${plan.length} instances; unfinished at each stop: ${inFlightAtStop.join(', ')}; ` +
          `all finished ${Date.now() - upAt.at(-1)!} ms after the last restart`,
      );
      for (const [n, worker] of workers.entries()) {
        assert.equal(worker.child.exitCode, null, `worker ${n + 1} is still the process it was`);
        assert.equal(worker.child.signalCode, null, `worker ${n + 1} was not killed`);
      }
      await Promise.all(workers.map(stopGracefully));

      const perWorker = audits.map(readAudit);
      for (const [n, records] of perWorker.entries()) {
        const lags = upAt.map((up) => firstCommitAfter(records, up));
        assert.ok(lags.every((lag) => lag !== undefined), `worker ${n + 1} committed steps after every restart`);
        t.diagnostic(`worker ${n + 1}: ${records.length} steps; first commit ${lags.join(', ')} ms after each restart`);
      }
      const records = perWorker.flat();
      const { historiesChecked } = await assertOutcomes(client, backend, plan, { historySample: plan.length });
      assertNoOverlap(records);
      assertFinishedAtMostOnce(records);
      const runs = activityRuns(ledger);
      t.diagnostic(`history invariant on ${historiesChecked} instances; ${runs.total} activity runs, ${runs.repeatedKeys} ran more than once`);
    } finally {
      await ensureClusterRunning();
      await Promise.all(workers.map(stopGracefully));
      await backend.close();
      await store.destroy();
    }
  });
});

async function unfinished(client: TaskHubClient): Promise<number> {
  const counts = await client.countInstances();
  return counts.Pending + counts.Running + counts.ContinuedAsNew + counts.Suspended;
}

function slices<T>(items: readonly T[], count: number): T[][] {
  return Array.from({ length: count }, (_, index) => items.filter((_item, i) => i % count === index));
}

function firstCommitAfter(records: readonly StepAuditRecord[], time: number): number | undefined {
  const after = records.filter((record) => record.committingAt >= time).map((record) => record.committingAt - time);
  return after.length === 0 ? undefined : Math.min(...after);
}

/** SlowEcho's ledger: how many runs finished, and how many idempotency keys finished more than once. */
function activityRuns(ledger: string): { total: number; repeatedKeys: number } {
  const finished = readFileSync(ledger, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('done '))
    .map((line) => line.split(' ')[1]!);
  return { total: finished.length, repeatedKeys: finished.length - new Set(finished).size };
}
