/**
 * T05 of docs/reliability.md in full: four worker processes on one PostgreSQL database run 1,000 mixed instances
 * while, every fraction of a second, one of them chosen at random is killed (SIGKILL) or stopped
 * (SIGTERM) and a fresh one takes its place. Every instance completes with its expected output and
 * history, no instance is ever processed by two workers at once, and none is finished twice. The choices
 * come from a seeded generator: the seed is printed, and TASKHUB_TEST_SEED replays a run's choices.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { killHard, spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import { seededRandom, testSeed } from '../support/seeded-random.js';
import {
  assertFinishedAtMostOnce,
  assertOutcomes,
  planMix,
  raiseAllEvents,
  startAll,
  waitUntilAllFinished,
} from '../support/mixed-workload.js';

const WORKERS = 4;
const LEASE_MS = 1000;
/** Restarts stop once everything finished, or after this many. */
const MAX_RESTARTS = 12;
const DRAIN_TIMEOUT_MS = 180_000;

interface Incarnation {
  worker: WorkerProcess;
  audit: string;
}

describe('four worker processes with random restarts on one PostgreSQL database', { skip: !storesUnderTest().includes('postgres') }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-restarts-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('T05: 1,000 mixed instances complete through kills and restarts, never on two workers at once', async (t) => {
    const seed = testSeed();
    t.diagnostic(`seed ${seed} (TASKHUB_TEST_SEED=${seed} replays these restarts)`);
    const random = seededRandom(seed);
    const store: TestStore = await createTestStore('postgres');
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
        chainSteps: 4,
        fanWidth: 5,
        activityDelayMs: 20,
        sleepSeconds: [0.5, 6],
      },
      'restarts-',
    );
    let incarnations = 0;
    const spawnIncarnation = (): Incarnation => {
      incarnations++;
      const audit = join(scratch, `${hub}-worker-${incarnations}.jsonl`);
      const worker = spawnWorker(store, hub, {
        TASKHUB_TEST_LEASE_MS: String(LEASE_MS),
        TASKHUB_TEST_WORKER_ID: `restarts-${hub}-${incarnations}`,
        TASKHUB_TEST_AUDIT: audit,
      });
      return { worker, audit };
    };
    const slots = Array.from({ length: WORKERS }, spawnIncarnation);
    const everyone: Incarnation[] = [...slots];
    const restarts = { kill: 0, term: 0 };
    try {
      await Promise.all(slots.map((slot) => slot.worker.ready));
      const began = Date.now();
      await startAll(client, plan);
      const raising = raiseAllEvents(client, plan);
      // Awaited below; until then, an early failure must not count as an unhandled rejection.
      void raising.catch(() => undefined);
      const drained = waitUntilAllFinished(client, plan.length, DRAIN_TIMEOUT_MS);
      let finished = false;
      void drained.then(
        () => (finished = true),
        () => (finished = true),
      );

      // A restart does not hold up the next one: the slot is out of the draw until its new worker is ready.
      const restarting = new Set<number>();
      const inFlight: Promise<void>[] = [];
      while (!finished && restarts.kill + restarts.term < MAX_RESTARTS) {
        await new Promise((resolve) => setTimeout(resolve, 200 + random() * 400));
        const index = Math.floor(random() * WORKERS);
        const hard = random() < 0.5;
        if (finished || restarting.has(index)) continue;
        restarting.add(index);
        restarts[hard ? 'kill' : 'term']++;
        inFlight.push(
          (async () => {
            const outgoing = slots[index]!;
            await (hard ? killHard(outgoing.worker) : stopGracefully(outgoing.worker));
            const incoming = spawnIncarnation();
            everyone.push(incoming);
            slots[index] = incoming;
            await incoming.worker.ready;
            restarting.delete(index);
          })(),
        );
      }
      await Promise.all(inFlight);
      await raising;
      await drained;
      t.diagnostic(
        `${restarts.kill} kill -9 and ${restarts.term} SIGTERM restarts; ${incarnations} worker processes in all; ` +
          `all finished ${Date.now() - began} ms after the first start`,
      );
      assert.ok(restarts.kill + restarts.term > 0, 'at least one worker was restarted while work was in hand');
      await Promise.all(slots.map((slot) => stopGracefully(slot.worker)));

      const records = everyone.flatMap((incarnation) => readAudit(incarnation.audit));
      const { historiesChecked } = await assertOutcomes(client, backend, plan, { historySample: plan.length });
      assertNoOverlap(records);
      assertFinishedAtMostOnce(records);
      t.diagnostic(`${records.length} steps committed; history invariant on ${historiesChecked} instances`);
    } finally {
      await Promise.all(everyone.map((incarnation) => stopGracefully(incarnation.worker)));
      await backend.close();
      await store.destroy();
    }
  });
});
