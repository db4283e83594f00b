/**
 * docs/reliability.md, T06, the concurrent recovery race, on every store: a worker claims a batch of instances and
 * dies (SIGKILL) before committing any, leaving them pending under its leases. Once the leases have run
 * out, two worker processes, held at a barrier file, start at one moment and race to recover the same
 * instances. Each step is committed once (every committed step is in the history, and the history keeps
 * its invariant), no instance is held by both at once, and both processes observe the same results.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { eventually } from '../support/polling.js';

const INSTANCES = 20;
const CHAIN_STEPS = 2;
const LEASE_MS = 1000;

/** `result <id> <json>` lines a worker process printed. */
function resultsPrinted(worker: WorkerProcess): Map<string, unknown> {
  const results = new Map<string, unknown>();
  for (const match of worker.stdout().matchAll(/^result (\S+) (.*)$/gm)) results.set(match[1]!, JSON.parse(match[2]!));
  return results;
}

for (const kind of storesUnderTest()) {
  describe(`two processes recovering the same instances at one moment, on ${kind}`, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'taskhub-recovery-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('T06: released by a barrier, they commit each step once and observe the same results', async (t) => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const ids = Array.from({ length: INSTANCES }, (_, i) => `recover-${i}`);
      const workers: WorkerProcess[] = [];
      try {
        for (const id of ids) await client.startNew('Chain', { instanceId: id, input: { steps: CHAIN_STEPS, delayMs: 20 } });
        const dying = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: String(LEASE_MS), TASKHUB_TEST_DIE_AT_COMMIT: '1' });
        workers.push(dying);
        await dying.ready;
        await dying.exited;
        assert.equal(dying.child.signalCode, 'SIGKILL', 'the first worker died at its first commit');
        const counts = await client.countInstances();
        assert.equal(counts.Pending, INSTANCES, 'it committed nothing: every instance is still pending');

        const barrier = join(scratch, `${hub}.barrier`);
        const racers = ['a', 'b'].map((name) =>
          spawnWorker(store, hub, {
            TASKHUB_TEST_LEASE_MS: String(LEASE_MS),
            TASKHUB_TEST_WORKER_ID: `racer-${name}`,
            TASKHUB_TEST_AUDIT: join(scratch, `${hub}-${name}.jsonl`),
            TASKHUB_TEST_BARRIER: barrier,
            TASKHUB_TEST_RESULTS_OF: ids.join(','),
          }),
        );
        workers.push(...racers);
        await Promise.all(racers.map((racer) => racer.ready));
        // Both wait at the barrier; release them together once the dead worker's leases have run out.
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 200));
        writeFileSync(barrier, '');
        await eventually('both racers to print every result', async () => (racers.every((racer) => racer.stdout().includes('results done')) ? true : undefined), 60_000);

        const [first, second] = racers.map(resultsPrinted) as [Map<string, unknown>, Map<string, unknown>];
        const expected = (CHAIN_STEPS * (CHAIN_STEPS + 1)) / 2;
        for (const id of ids) {
          assert.equal(first.get(id), expected, `${id}: the first racer saw its result`);
          assert.equal(second.get(id), expected, `${id}: the second racer saw the same result`);
        }
        const records = racers.flatMap((_, index) => readAudit(join(scratch, `${hub}-${'ab'[index]}.jsonl`)));
        assertNoOverlap(records);
        const byWorker = new Set(records.map((record) => record.workerId));
        t.diagnostic(`${records.length} steps committed, by ${[...byWorker].join(' and ')}`);
        for (const id of ids) {
          const events = await assertHistoryInvariant(backend, hub, id);
          const steps = events.filter((event) => event.type === 'OrchestratorStarted').length;
          const commits = records.filter((record) => record.instanceId === id);
          assert.equal(commits.length, steps, `${id}: every committed step is one step of its history (${commits.length} commits, ${steps} steps)`);
          assert.equal(commits.filter((record) => record.status === 'Completed').length, 1, `${id}: finished once`);
        }
      } finally {
        const running = workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
        await Promise.all(running.map(stopGracefully));
        await backend.close();
        await store.destroy();
      }
    });
  });
}
