/**
 * docs/reliability.md, T09: a network partition between one worker and PostgreSQL, longer than the lease. Worker A
 * reaches the database over a link the test cuts (a network namespace and veth pair when run as root,
 * else a proxy that stops forwarding) while it holds leases; workers B and C reach it directly. While cut,
 * A's leases run out and B and C take its instances and activities over; when the link heals, the
 * requests A sent into the partition reach the server and are refused by the fence. No instance is ever
 * held by two workers at once, none finishes twice, and the mixed load completes with every history intact.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { TEST_PG_URL, createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import { eventually } from '../support/polling.js';
import { partitionableLink } from '../support/network-partition.js';
import { assertFinishedAtMostOnce, assertOutcomes, planMix, raiseAllEvents, startAll, waitUntilAllFinished } from '../support/mixed-workload.js';
import { leasesHeldBy } from '../scaleout/leases.js';

const LEASE_MS = 1000;
/** How long the link stays cut: several leases. */
const PARTITION_MS = 4 * LEASE_MS;
const DRAIN_TIMEOUT_MS = 120_000;

describe('PostgreSQL: a worker partitioned from the database', { skip: !storesUnderTest().includes('postgres') }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-partition-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('T09: the partitioned worker stops committing, the others take over, and nothing it sent commits when the link heals', async (t) => {
    const link = await partitionableLink({ host: '127.0.0.1', port: Number(new URL(TEST_PG_URL).port || 5432) });
    t.diagnostic(`partition made with a ${link.kind}`);
    const store = await createTestStore('postgres');
    const backend = await store.open();
    const hub = randomHub();
    const client = new TaskHubClient({ backend, hub });
    const audit = (name: string) => join(scratch, `${hub}-${name}.jsonl`);
    const log = join(scratch, `${hub}-a.log`);
    const workers: WorkerProcess[] = [];
    const common = { TASKHUB_TEST_LEASE_MS: String(LEASE_MS) };
    const plan = planMix(
      { chains: 24, fans: 8, sleeps: 8, approvals: 8, counters: 8, chainSteps: 4, fanWidth: 5, activityDelayMs: 250, sleepSeconds: [1, 6] },
      'partition-',
    );
    try {
      const partitioned = spawnWorker(
        { ...store, connectionString: link.url(store.connectionString) },
        hub,
        { ...common, TASKHUB_TEST_WORKER_ID: 'partitioned', TASKHUB_TEST_AUDIT: audit('a'), TASKHUB_TEST_LOG: log },
        { prefix: link.prefix },
      );
      workers.push(partitioned);
      await partitioned.ready;
      await startAll(client, plan);
      const raising = raiseAllEvents(client, plan);
      const held = await eventually('the partitioned worker to hold instances and activities', async () => {
        const leases = await leasesHeldBy(store, hub, 'partitioned');
        return leases.instances.length + leases.tasks.length > 0 && leases.tasks.length > 0 ? leases : undefined;
      });

      await link.cut();
      const cutAt = Date.now();
      const others = ['b', 'c'].map((name) => spawnWorker(store, hub, { ...common, TASKHUB_TEST_WORKER_ID: `direct-${name}`, TASKHUB_TEST_AUDIT: audit(name) }));
      workers.push(...others);
      await Promise.all(others.map((worker) => worker.ready));
      const heldIds = new Set([...held.instances, ...held.tasks].map((lease) => lease.instanceId));
      await eventually(
        'the other workers to commit steps of instances the partitioned worker held',
        async () => {
          const taken = ['b', 'c'].flatMap((name) => readAudit(audit(name))).filter((record) => heldIds.has(record.instanceId));
          return taken.length > 0 ? true : undefined;
        },
        30_000,
      );
      const partitionedCommits = readAudit(audit('a')).length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + PARTITION_MS - Date.now())));
      assert.equal(readAudit(audit('a')).length, partitionedCommits, 'the partitioned worker committed nothing while cut off');
      await link.heal();
      t.diagnostic(`cut for ${Date.now() - cutAt} ms while the partitioned worker held ${held.instances.length} instances and ${held.tasks.length} activity tasks`);

      await raising;
      await waitUntilAllFinished(client, plan.length, DRAIN_TIMEOUT_MS);
      // Let the requests still on their way from the partitioned worker arrive and be answered.
      await eventually('the partitioned worker to hear back about what it sent while cut off', async () => (refusals(log).length > 0 ? true : undefined), 30_000);
      await Promise.all(workers.map(stopGracefully));

      const records = ['a', 'b', 'c'].flatMap((name) => readAudit(audit(name)));
      assertNoOverlap(records);
      assertFinishedAtMostOnce(records);
      await assertOutcomes(client, backend, plan, { historySample: plan.length });
      t.diagnostic(`${records.length} steps committed; the partitioned worker's late requests refused: ${refusals(log).length}`);
    } finally {
      await Promise.all(workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null).map(stopGracefully));
      await link.close();
      await backend.close();
      await store.destroy();
    }
  });
});

/** The partitioned worker's warnings that the store refused a step or a result because its lease was gone. */
function refusals(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => /was not committed: its lease expired|its result was discarded because another worker owns the task/.test(line));
}
