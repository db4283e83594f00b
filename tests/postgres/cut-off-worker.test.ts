/**
 * A worker cut off from PostgreSQL for longer than its lease while it holds work, then back: docs/reliability.md
 * T09, a network partition between the worker and the database (a network namespace and veth pair made by
 * the test when run as root, else a proxy that stops forwarding), and T04, a stale worker resurrected (the
 * process frozen with SIGSTOP, then let go on with SIGCONT). Worker A holds instances and activity tasks
 * when it is cut off; workers B and C, which reach the database directly, take its work over once the
 * leases run out. When A is back, what it sends about that work (a step's commit, an activity's result) is
 * refused by the fence. No instance is ever held by two workers at once, none finishes twice, and the mixed
 * load completes with every history intact.
 */
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { TEST_PG_URL, createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { spawnWorker, stopGracefully, type SpawnOptions, type WorkerProcess } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import { eventually } from '../support/polling.js';
import { partitionableLink } from '../support/network-partition.js';
import { assertFinishedAtMostOnce, assertOutcomes, planMix, raiseAllEvents, startAll, waitUntilAllFinished } from '../support/mixed-workload.js';
import { freezeHoldingLeases, leasesHeldBy, type HeldLeases } from '../scaleout/leases.js';

const LEASE_MS = 1000;
/** How long worker A stays cut off: several leases. */
const CUT_OFF_MS = 4 * LEASE_MS;
const DRAIN_TIMEOUT_MS = 120_000;
const POSTGRES = { host: '127.0.0.1', port: Number(new URL(TEST_PG_URL).port || 5432) };

/** How a scenario cuts worker A off and brings it back. */
interface CutOff {
  /** What A's store and spawn options are (a partition reaches the database over its own link). */
  store(store: TestStore): TestStore;
  spawn: SpawnOptions;
  /** Cuts A off at a moment it holds work, and returns the leases it held. */
  cut(store: TestStore, hub: string, worker: WorkerProcess): Promise<HeldLeases>;
  restore(worker: WorkerProcess): Promise<void>;
}

describe('PostgreSQL: a worker cut off from the database while it holds work', { skip: !storesUnderTest().includes('postgres') }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-cut-off-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('T09: a partitioned worker stops committing, the others take over, and nothing it sent commits when the link heals', async (t) => {
    const link = await partitionableLink(POSTGRES);
    t.diagnostic(`partition made with a ${link.kind}`);
    try {
      await cutOffScenario(t, scratch, {
        store: (store) => ({ ...store, connectionString: link.url(store.connectionString) }),
        spawn: { prefix: link.prefix },
        cut: async (store, hub) => {
          const held = await eventually('the partitioned worker to hold activities', async () => {
            const leases = await leasesHeldBy(store, hub, 'cut-off');
            return leases.tasks.length > 0 ? leases : undefined;
          });
          await link.cut();
          return held;
        },
        restore: () => link.heal(),
      });
    } finally {
      await link.close();
    }
  });

  it('T04: a worker frozen past its leases and let go on has its late commits refused by the fence', (t) =>
    cutOffScenario(t, scratch, {
      store: (store) => store,
      spawn: {},
      cut: (store, hub, worker) => freezeHoldingLeases(store, hub, 'cut-off', worker.child),
      restore: async (worker) => void worker.child.kill('SIGCONT'),
    }));
});

async function cutOffScenario(t: TestContext, scratch: string, cutOff: CutOff): Promise<void> {
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
    'cut-off-',
  );
  try {
    const cutOffWorker = spawnWorker(
      cutOff.store(store),
      hub,
      { ...common, TASKHUB_TEST_WORKER_ID: 'cut-off', TASKHUB_TEST_AUDIT: audit('a'), TASKHUB_TEST_LOG: log },
      cutOff.spawn,
    );
    workers.push(cutOffWorker);
    await cutOffWorker.ready;
    await startAll(client, plan);
    const raising = raiseAllEvents(client, plan);

    const held = await cutOff.cut(store, hub, cutOffWorker);
    const cutAt = Date.now();
    const commitsBefore = readAudit(audit('a')).length;
    const others = ['b', 'c'].map((name) => spawnWorker(store, hub, { ...common, TASKHUB_TEST_WORKER_ID: `direct-${name}`, TASKHUB_TEST_AUDIT: audit(name) }));
    workers.push(...others);
    await Promise.all(others.map((worker) => worker.ready));
    const heldIds = new Set([...held.instances, ...held.tasks].map((lease) => lease.instanceId));
    await eventually(
      'the other workers to commit steps of instances the cut-off worker held',
      async () => (['b', 'c'].flatMap((name) => readAudit(audit(name))).some((record) => heldIds.has(record.instanceId)) ? true : undefined),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + CUT_OFF_MS - Date.now())));
    assert.equal(readAudit(audit('a')).length, commitsBefore, 'the cut-off worker committed nothing while cut off');
    await cutOff.restore(cutOffWorker);
    t.diagnostic(`cut off for ${Date.now() - cutAt} ms while it held ${held.instances.length} instances and ${held.tasks.length} activity tasks`);

    await raising;
    await waitUntilAllFinished(client, plan.length, DRAIN_TIMEOUT_MS);
    // Let what the cut-off worker sent while cut off arrive and be answered.
    await eventually('the cut-off worker to hear the fence refuse what it sent', async () => (refusals(log).length > 0 ? true : undefined), 30_000);
    await Promise.all(workers.map(stopGracefully));

    const records = ['a', 'b', 'c'].flatMap((name) => readAudit(audit(name)));
    assertNoOverlap(records);
    assertFinishedAtMostOnce(records);
    await assertOutcomes(client, backend, plan, { historySample: plan.length });
    t.diagnostic(`${records.length} steps committed; the cut-off worker's late requests refused: ${refusals(log).length}`);
  } finally {
    const running = workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
    // A worker still frozen would never act on the SIGTERM.
    for (const worker of running) worker.child.kill('SIGCONT');
    await Promise.all(running.map(stopGracefully));
    await backend.close();
    await store.destroy();
  }
}

/** The cut-off worker's warnings that the store refused a step or a result because its lease was gone. */
function refusals(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => /was not committed: its lease expired|its result was discarded because another worker owns the task/.test(line));
}
