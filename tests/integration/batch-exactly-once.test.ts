/**
 * Every batch operation acts exactly once per matching instance (docs/adr/0031-batch-operations-exactly-once.md):
 * a job whose worker is killed with SIGKILL mid-way finishes on another worker with each instance handled
 * once and none outside the filter touched; and a chunk applied twice, as a redo after a crash applies it,
 * acts once. On every store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTaskHub, silentLogger, type TaskHub, type TaskHubClient } from '../../src/index.js';
import type { BatchOperation } from '../../src/client/batches.js';
import { builtIns } from '../../src/runtime/built-in-orchestrators.js';
import { createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { eventually, waitForStatus } from '../support/polling.js';
import { killHard, spawnWorker } from '../support/spawn-worker.js';
import { testRegistry } from '../support/test-app.js';

const INSIDE = 24;
const OUTSIDE = 3;

interface Seeded {
  inside: string[];
  outside: string[];
}

/** Approvals waiting ten minutes, numbered in their input, tagged `batch: in` or `batch: out`. */
async function startApprovals(client: TaskHubClient): Promise<Seeded> {
  const start = (group: string, count: number) =>
    Promise.all(Array.from({ length: count }, (_, n) =>
      client.startNew('Approval', { instanceId: `${group}-${String(n).padStart(3, '0')}`, input: { timeoutSeconds: 600, n }, tags: { batch: group } })));
  const seeded = { inside: await start('in', INSIDE), outside: await start('out', OUTSIDE) };
  for (const id of [...seeded.inside, ...seeded.outside]) await waitForStatus(client, id, 'Running');
  return seeded;
}

async function startFailed(client: TaskHubClient): Promise<Seeded> {
  const start = (group: string, count: number) =>
    Promise.all(Array.from({ length: count }, (_, n) => client.startNew('AlwaysFails', { instanceId: `${group}-${String(n).padStart(3, '0')}`, tags: { batch: group } })));
  const seeded = { inside: await start('in', INSIDE), outside: await start('out', OUTSIDE) };
  for (const id of [...seeded.inside, ...seeded.outside]) await waitForStatus(client, id, 'Failed');
  return seeded;
}

async function eventsOf(client: TaskHubClient, id: string, type: string, name?: string): Promise<number> {
  return (await client.getHistory(id)).filter((event) => event.type === type && (name === undefined || ('name' in event && event.name === name))).length;
}

/** How many Approvals of the hub carry input number n and the group's tag: the original and its restarts. */
async function copiesByNumber(client: TaskHubClient, group: string): Promise<number[]> {
  const counts: number[] = [];
  for await (const status of client.listAllInstances({ name: 'Approval', tags: { batch: group } })) {
    const n = (status.input as { n: number }).n;
    counts[n] = (counts[n] ?? 0) + 1;
  }
  return counts;
}

interface Case {
  operation: BatchOperation;
  seed(client: TaskHubClient): Promise<Seeded>;
  extra?: { reason?: string; eventName?: string; eventData?: unknown };
  /** Waits until the instance has settled after the job, then asserts it was handled exactly once. */
  handledOnce(client: TaskHubClient, id: string): Promise<void>;
  /** Asserts an instance outside the filter was not touched. */
  untouched(client: TaskHubClient, id: string): Promise<void>;
  /** Checks over all instances, after the per-instance ones. */
  overall?(client: TaskHubClient): Promise<void>;
}

const stillRunning = async (client: TaskHubClient, id: string) => {
  assert.equal((await client.getStatus(id))!.runtimeStatus, 'Running', id);
  const operations = (await client.getHistory(id)).filter((event) => ['ExecutionSuspended', 'ExecutionResumed', 'ExecutionTerminated', 'EventRaised'].includes(event.type));
  assert.deepEqual(operations, [], id);
};

const CASES: Case[] = [
  {
    operation: 'terminate',
    seed: startApprovals,
    handledOnce: async (client, id) => {
      await waitForStatus(client, id, 'Terminated');
      assert.equal(await eventsOf(client, id, 'ExecutionTerminated'), 1, id);
    },
    untouched: stillRunning,
  },
  {
    operation: 'suspend',
    seed: startApprovals,
    handledOnce: async (client, id) => {
      await waitForStatus(client, id, 'Suspended');
      assert.equal(await eventsOf(client, id, 'ExecutionSuspended'), 1, id);
    },
    untouched: stillRunning,
  },
  {
    operation: 'resume',
    seed: async (client) => {
      const seeded = await startApprovals(client);
      for (const id of seeded.inside) await client.suspend(id);
      for (const id of seeded.inside) await waitForStatus(client, id, 'Suspended');
      return seeded;
    },
    handledOnce: async (client, id) => {
      await eventually(`${id} resumed`, async () => ((await eventsOf(client, id, 'ExecutionResumed')) > 0 ? true : undefined));
      assert.equal((await client.getStatus(id))!.runtimeStatus, 'Running', id);
      assert.equal(await eventsOf(client, id, 'ExecutionResumed'), 1, id);
    },
    untouched: stillRunning,
  },
  {
    operation: 'raiseEvent',
    seed: startApprovals,
    extra: { eventName: 'Nudge', eventData: 1 },
    handledOnce: async (client, id) => {
      await eventually(`${id} nudged`, async () => ((await eventsOf(client, id, 'EventRaised', 'Nudge')) > 0 ? true : undefined));
      assert.equal(await eventsOf(client, id, 'EventRaised', 'Nudge'), 1, id);
    },
    untouched: stillRunning,
  },
  {
    operation: 'rewind',
    seed: startFailed,
    // A rewound AlwaysFails fails again; a second rewind would be accepted and recorded again.
    handledOnce: async (client, id) => {
      await eventually(`${id} rewound and failed again`, async () =>
        (await eventsOf(client, id, 'ExecutionRewound')) > 0 && (await client.getStatus(id))!.runtimeStatus === 'Failed' ? true : undefined);
      assert.equal(await eventsOf(client, id, 'ExecutionRewound'), 1, id);
    },
    untouched: async (client, id) => {
      assert.equal((await client.getStatus(id))!.runtimeStatus, 'Failed', id);
      assert.equal(await eventsOf(client, id, 'ExecutionRewound'), 0, id);
    },
  },
  {
    operation: 'restart',
    seed: startApprovals,
    // The restarts keep the tags, so they match the job's filter too: it must not restart them in turn.
    handledOnce: async (client, id) => {
      assert.equal((await client.getStatus(id))!.runtimeStatus, 'Running', id);
    },
    untouched: stillRunning,
    overall: async (client) => {
      assert.deepEqual(await copiesByNumber(client, 'in'), Array.from({ length: INSIDE }, () => 2), 'each instance and one restart');
      assert.deepEqual(await copiesByNumber(client, 'out'), Array.from({ length: OUTSIDE }, () => 1));
    },
  },
  {
    operation: 'purge',
    seed: async (client) => {
      const seeded = await startApprovals(client);
      for (const id of [...seeded.inside, ...seeded.outside]) await client.terminate(id);
      for (const id of [...seeded.inside, ...seeded.outside]) await waitForStatus(client, id, 'Terminated');
      return seeded;
    },
    handledOnce: async (client, id) => {
      assert.equal(await client.getStatus(id), undefined, id);
    },
    untouched: async (client, id) => {
      assert.equal((await client.getStatus(id))!.runtimeStatus, 'Terminated', id);
    },
  },
];

for (const kind of storesUnderTest()) {
  describe(`a batch job killed mid-way on ${kind}`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore(kind);
    });
    after(async () => {
      await store.destroy();
    });

    for (const testCase of CASES) {
      it(`${testCase.operation}: finishes on another worker with every matching instance handled exactly once`, async () => {
        const hub = randomHub();
        const workerOptions = { logger: silentLogger, orchestrationLeaseMs: 1000, activityLeaseMs: 1000 };
        const seeding = await createTaskHub({ storage: store.storage, hub, registry: testRegistry(), worker: workerOptions });
        let second: TaskHub | undefined;
        try {
          const client = seeding.client;
          const seeded = await testCase.seed(client);
          await seeding.worker!.stop();
          const job = await client.startBatch({ operation: testCase.operation, filter: { tags: { batch: 'in' } }, chunkSize: 4, ratePerSecond: 16, ...testCase.extra });
          assert.equal(job.matched, INSIDE);
          const first = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '1000' });
          await first.ready;
          await eventually('the job under way', async () => ((await client.getBatch(job.id)).done >= 8 ? true : undefined), 60_000);
          await killHard(first);
          assert.ok((await client.getBatch(job.id)).done < INSIDE, 'killed before the end');
          second = await createTaskHub({ storage: store.storage, hub, registry: testRegistry(), worker: workerOptions });
          const finished = await eventually('the job to complete on the second worker', async () => {
            const current = await client.getBatch(job.id);
            return current.state === 'completed' ? current : undefined;
          }, 120_000);
          assert.deepEqual({ done: finished.done, failed: finished.failed, failures: finished.failures }, { done: INSIDE, failed: 0, failures: [] });
          for (const id of seeded.inside) await testCase.handledOnce(client, id);
          for (const id of seeded.outside) await testCase.untouched(client, id);
          await testCase.overall?.(client);
        } finally {
          await second?.close();
          await seeding.close();
        }
      });
    }
  });

  describe(`a batch chunk applied twice on ${kind}`, () => {
    let store: TestStore;
    let taskHub: TaskHub;
    before(async () => {
      store = await createTestStore(kind);
      taskHub = await createTaskHub({ storage: store.storage, hub: randomHub(), registry: testRegistry(), worker: { logger: silentLogger } });
    });
    after(async () => {
      await taskHub.close();
      await store.destroy();
    });

    it('acts once: a redo delivers no event twice and restarts nothing twice, and counts what the first did as done', async () => {
      const client = taskHub.client;
      const { inside } = await startApprovals(client);
      const apply = builtIns(client.backend, client.hub).getActivity('taskhub.batch.apply')!;
      const context = { instanceId: 'taskhub.batch.redo', taskId: 1, name: 'taskhub.batch.apply', attempt: 1, idempotencyKey: 'taskhub.batch.redo:1', signal: new AbortController().signal };
      for (const operation of ['raiseEvent', 'restart'] as const) {
        const input = { jobId: `taskhub.batch.redo-${operation}`, operation, instanceIds: inside, eventName: 'Nudge' };
        const firstAttempt = await apply(input, context);
        const redo = await apply(input, { ...context, attempt: 2 });
        assert.deepEqual(redo, firstAttempt);
        assert.deepEqual(redo, { done: INSIDE, failed: 0, failures: [] });
      }
      for (const id of inside) {
        await eventually(`${id} nudged`, async () => ((await eventsOf(client, id, 'EventRaised', 'Nudge')) > 0 ? true : undefined));
        assert.equal(await eventsOf(client, id, 'EventRaised', 'Nudge'), 1, id);
      }
      assert.deepEqual(await copiesByNumber(client, 'in'), Array.from({ length: INSIDE }, () => 2));
    });
  });
}
