/**
 * T05 and T01 of docs/reliability.md: three worker processes on one PostgreSQL database run a
 * mixed load (chains, fan-outs, timers, approvals and counters driven by events) to completion, no
 * instance is ever processed by two workers at once, and when one worker is killed with SIGKILL the other
 * two finish the work it held once its leases expire.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient, type StepAuditRecord } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { killHard, spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import { eventually } from '../support/polling.js';
import { readLedger } from '../support/ledger.js';
import {
  assertFinishedAtMostOnce,
  assertOutcomes,
  planMix,
  raiseAllEvents,
  startAll,
  waitUntilAllFinished,
} from '../support/mixed-workload.js';
import { freezeHoldingLeases } from './leases.js';

/** Bounds the wait for a whole load to drain; far above what it takes, so only a hang trips it. */
const DRAIN_TIMEOUT_MS = 180_000;
/** The lease of the kill test's workers: what the survivors wait for before taking the victim's work. */
const LEASE_MS = 2000;

describe('three worker processes on one PostgreSQL database', { skip: !storesUnderTest().includes('postgres') }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-scaleout-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('T05: complete 1,000 mixed instances, and no instance is ever processed by two workers at once', async (t) => {
    const store = await createTestStore('postgres');
    const backend = await store.open();
    const hub = randomHub();
    const client = new TaskHubClient({ backend, hub });
    const plan = planMix(
      {
        chains: 400,
        fans: 200,
        sleeps: 150,
        approvals: 150,
        counters: 100,
        chainSteps: 3,
        fanWidth: 5,
        activityDelayMs: 2,
        sleepSeconds: [0.5, 3],
      },
      't05-',
    );
    const audits = [1, 2, 3].map((n) => join(scratch, `t05-worker-${n}.jsonl`));
    const workers = audits.map((audit) => spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '5000', TASKHUB_TEST_AUDIT: audit }));
    const began = Date.now();
    try {
      await Promise.all(workers.map((worker) => worker.ready));
      await startAll(client, plan);
      const started = Date.now();
      await raiseAllEvents(client, plan);
      await waitUntilAllFinished(client, plan.length, DRAIN_TIMEOUT_MS);
      t.diagnostic(`${plan.length} instances: started in ${started - began} ms, all finished after ${Date.now() - began} ms`);
      await Promise.all(workers.map(stopGracefully));

      const records = audits.flatMap(readAudit);
      const { historiesChecked } = await assertOutcomes(client, backend, plan, { historySample: plan.length });
      assertNoOverlap(records);
      assertFinishedAtMostOnce(records);
      const perWorker = audits.map((audit) => readAudit(audit).length);
      assert.ok(perWorker.every((steps) => steps > 0), `every worker committed steps (${perWorker.join(', ')})`);
      t.diagnostic(`${records.length} steps committed (per worker ${perWorker.join(', ')}); history invariant on ${historiesChecked} instances`);
    } finally {
      await Promise.all(workers.map(stopGracefully));
      await backend.close();
      await store.destroy();
    }
  });

  it('T01/T05: after kill -9 of one of the three, the other two finish its work once its leases expire', async (t) => {
    const store = await createTestStore('postgres');
    const backend = await store.open();
    const hub = randomHub();
    const client = new TaskHubClient({ backend, hub });
    const ledger = join(scratch, 'kill.ledger');
    const plan = planMix(
      {
        chains: 330,
        fans: 170,
        sleeps: 170,
        approvals: 165,
        counters: 165,
        chainSteps: 6,
        fanWidth: 8,
        activityDelayMs: 50,
        sleepSeconds: [1, 4],
      },
      'kill-',
    );
    const workerIds = [1, 2, 3].map((n) => `scaleout-${hub}-worker-${n}`);
    const audits = workerIds.map((id) => join(scratch, `${id}.jsonl`));
    const workers: WorkerProcess[] = workerIds.map((id, n) =>
      spawnWorker(store, hub, {
        TASKHUB_TEST_LEASE_MS: String(LEASE_MS),
        TASKHUB_TEST_WORKER_ID: id,
        TASKHUB_TEST_AUDIT: audits[n]!,
        TASKHUB_TEST_LEDGER: ledger,
      }),
    );
    const [victim, ...survivors] = workers;
    const victimId = workerIds[0]!;
    try {
      await Promise.all(workers.map((worker) => worker.ready));
      await startAll(client, plan);
      const raising = raiseAllEvents(client, plan);
      // Awaited below; until then, an early failure must not count as an unhandled rejection.
      void raising.catch(() => undefined);
      await eventually('the victim to be well into its share', async () => (readAudit(audits[0]!).length >= 40 ? true : undefined), 60_000);
      const orphans = await freezeHoldingLeases(store, hub, victimId, victim!.child);
      await killHard(victim!);
      const killedAt = Date.now();
      assert.ok(orphans.instances.length + orphans.tasks.length > 0, 'the victim died holding work');
      await raising;
      await waitUntilAllFinished(client, plan.length, DRAIN_TIMEOUT_MS);
      t.diagnostic(
        `killed holding ${orphans.instances.length} steps and ${orphans.tasks.length} activities; ` +
          `the survivors finished all ${plan.length} instances ${Date.now() - killedAt} ms after the kill`,
      );

      const survivorSteps = audits.slice(1).flatMap(readAudit);
      for (const orphan of orphans.instances) {
        // Survivor steps committed before the victim's claim (expiresAt - LEASE_MS) were earlier steps.
        const midLease = orphan.expiresAt - LEASE_MS / 2 - orphans.storeClockOffsetMs;
        const takeover = firstStepCommittedAfter(survivorSteps, orphan.instanceId, midLease);
        assert.ok(takeover, `a survivor ran a step of ${orphan.instanceId}, which the victim held`);
        assert.ok(
          takeover.startedAt + orphans.storeClockOffsetMs >= orphan.expiresAt - 50,
          `${orphan.instanceId} was taken over only after the victim's lease expired`,
        );
      }
      const finishedRuns = readLedger(ledger).filter((line) => line.startsWith('done '));
      for (const task of orphans.tasks) {
        const key = `${task.instanceId}:${task.taskId}`;
        const rerun = finishedRuns.some((line) => line.startsWith(`done ${key} `) && Number(line.split(' ')[2]) > task.attempt);
        assert.ok(rerun, `activity ${key}, which the victim was running, ran again to completion`);
      }
      await Promise.all(survivors.map(stopGracefully));

      const records = audits.flatMap(readAudit);
      await assertOutcomes(client, backend, plan, { historySample: plan.length });
      assertNoOverlap(records);
      assertFinishedAtMostOnce(records);
    } finally {
      await Promise.all(workers.map(stopGracefully));
      await backend.close();
      await store.destroy();
    }
  });
});

function firstStepCommittedAfter(records: readonly StepAuditRecord[], instanceId: string, time: number): StepAuditRecord | undefined {
  return records
    .filter((record) => record.instanceId === instanceId && record.committingAt > time)
    .sort((a, b) => a.startedAt - b.startedAt)[0];
}
