/**
 * The retention orchestration (src/runtime/retention.ts) on a store whose worker was stopped while the
 * retention's activity ran, with policy changes raised meanwhile, then another worker started: every
 * history it commits replays cleanly (src/testing/replay-history.ts), and it goes on applying the policy.
 * A bench seeder run on such a store in between (bench/seed-steps.ts) used to step the retention instance by
 * hand, consuming its activity's result without running its code: the next step failed with a
 * NonDeterminismError. Seeders now leave instances they did not create alone.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskHubClient, Worker, Registry, silentLogger, type Backend } from '../../src/index.js';
import { replayHistory } from '../../src/testing/replay-history.js';
import { builtIns } from '../../src/runtime/built-in-orchestrators.js';
import { RETENTION_INSTANCE_ID, type RetentionPolicy } from '../../src/runtime/retention.js';
import { createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { eventually } from '../support/polling.js';
import { seedFinishedInstances } from '../../bench/seed-finished.js';
import { seedStepped } from '../../bench/seed-steps.js';

type Timing = 'before the result' | 'after the result';

/** The backend, with purgeInstances (the retention activity's first store call under a days policy) held from hold() to release(). */
function gated(backend: Backend): { backend: Backend; hold(): Promise<void>; release(): void } {
  let gate: { reached: () => void; released: Promise<void> } | undefined;
  let release = () => undefined as void;
  const wrapped = new Proxy(backend, {
    get(target, property) {
      if (property === 'purgeInstances') {
        return async (...args: Parameters<Backend['purgeInstances']>) => {
          const held = gate;
          if (held) {
            held.reached();
            await held.released;
          }
          return target.purgeInstances(...args);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    backend: wrapped,
    /** Resolves once the activity is held. */
    hold() {
      return new Promise<void>((reached) => {
        const released = new Promise<void>((resolve) => (release = resolve));
        gate = { reached, released };
      });
    },
    release() {
      gate = undefined;
      release();
    },
  };
}

function worker(backend: Backend, hub: string): Worker {
  return new Worker({ backend, hub, registry: new Registry(), logger: silentLogger, minPollMs: 5, maxPollMs: 50 });
}

/**
 * Sets `policy` (starting the retention or raising the policy event) and runs a worker until the retention's
 * activity is in flight, then stops it gracefully while `change` is raised at `timing`: the result of the
 * activity and the change are left in the retention's inbox for the next worker.
 */
async function stopWithActivityInFlight(backend: Backend, hub: string, policy: RetentionPolicy, change: RetentionPolicy, timing: Timing): Promise<void> {
  const client = new TaskHubClient({ backend, hub });
  const gate = gated(backend);
  const held = gate.hold();
  await client.setRetention(policy);
  const stopped = worker(gate.backend, hub);
  stopped.start();
  await held;
  const stopping = stopped.stop();
  if (timing === 'before the result') await client.setRetention(change);
  gate.release();
  await stopping;
  if (timing === 'after the result') await client.setRetention(change);
}

async function replaysCleanly(backend: Backend, hub: string): Promise<void> {
  const records = await backend.getHistory(hub, RETENTION_INSTANCE_ID);
  const code = builtIns(backend, hub);
  replayHistory({ instanceId: RETENTION_INSTANCE_ID, history: records.map((r) => r.event), resolveOrchestrator: (name) => code.getOrchestrator(name) });
}

/** A new worker takes over: the change is applied by a run, and runs go on (interval 1 s) without failing. */
async function takenOver(backend: Backend, hub: string, change: RetentionPolicy): Promise<void> {
  const client = new TaskHubClient({ backend, hub });
  const next = worker(backend, hub);
  next.start();
  try {
    await eventually('the changed policy applied', async () => {
      const status = await client.getStatus(RETENTION_INSTANCE_ID);
      assert.equal(status?.runtimeStatus === 'Failed' ? status.output : undefined, undefined);
      const view = await client.getRetention();
      return view.policy.completedDays === change.completedDays && view.lastRun ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const status = await client.getStatus(RETENTION_INSTANCE_ID);
    assert.equal(status?.runtimeStatus, 'Running', JSON.stringify(status?.output));
    await replaysCleanly(backend, hub);
  } finally {
    await next.stop();
  }
}

const seeders: [string, (backend: Backend, hub: string) => Promise<void>, (client: TaskHubClient) => Promise<void>][] = [
  [
    'instances stepped Running',
    (backend, hub) => seedStepped(backend, hub, 30, 'Seeded', 'run', 'Running'),
    async (client) => assert.equal((await client.countInstances({ name: 'Seeded' })).Running, 30),
  ],
  [
    'finished instances',
    (backend, hub) => seedFinishedInstances(backend, { hub, prefix: 'seeded', name: 'Seeded', statuses: ['Completed', 'Failed', 'Terminated'], lanes: 2 }, 0, 30),
    async (client) => {
      const counts = await client.countInstances({ name: 'Seeded' });
      assert.deepEqual([counts.Completed, counts.Failed, counts.Terminated], [10, 10, 10]);
    },
  ],
];

for (const kind of storesUnderTest()) {
  describe(`retention handed over between workers on ${kind}`, () => {
    const stores: TestStore[] = [];
    const backends: Backend[] = [];
    after(async () => {
      for (const backend of backends) await backend.close();
      for (const store of stores) await store.destroy();
    });

    async function openStore(): Promise<Backend> {
      const store = await createTestStore(kind);
      stores.push(store);
      const backend = await store.open();
      backends.push(backend);
      return backend;
    }

    for (const timing of ['before the result', 'after the result'] as const) {
      it(`a worker stopped with the activity in flight, a policy change ${timing}, another worker takes over (three times)`, async () => {
        const backend = await openStore();
        const hub = randomHub();
        for (let round = 0; round < 3; round++) {
          const change = { completedDays: 10 + round, intervalSeconds: 1 };
          await stopWithActivityInFlight(backend, hub, { completedDays: 1 + round, intervalSeconds: 1 }, change, timing);
          await replaysCleanly(backend, hub);
          await takenOver(backend, hub, change);
        }
      });
    }

    for (const [what, seed, seeded] of seeders) {
      it(`a bench seeder of ${what} leaves the retention instance and the messages waiting for it alone`, async () => {
        const backend = await openStore();
        const hub = randomHub();
        const change = { completedDays: 5, intervalSeconds: 1 };
        await stopWithActivityInFlight(backend, hub, { completedDays: 1, intervalSeconds: 1 }, change, 'before the result');
        // The retention's activity result and the policy event wait in its inbox, the oldest messages of the hub.
        await seed(backend, hub);
        assert.equal((await new TaskHubClient({ backend, hub }).getStatus(RETENTION_INSTANCE_ID))?.runtimeStatus, 'Running');
        await replaysCleanly(backend, hub);
        await takenOver(backend, hub, change);
        await seeded(new TaskHubClient({ backend, hub }));
      });
    }
  });
}
