/** Batch jobs by query (docs/instance-management.md, "Batch jobs"): only matching instances are touched, dry run, cancel, bad input, and a worker killed mid-way, on every store. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTaskHub, InvalidArgumentError, Registry, silentLogger, type TaskHub, type TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { startHarness, type Harness } from '../support/harness.js';
import { eventually, waitForStatus } from '../support/polling.js';
import { killHard, spawnWorker } from '../support/spawn-worker.js';
import { testRegistry } from '../support/test-app.js';

/** Approvals that wait ten minutes: Running until something acts on them. */
async function startWaiting(client: TaskHubClient, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await client.startNew('Approval', { instanceId: `${prefix}${String(i).padStart(3, '0')}`, input: { timeoutSeconds: 600 } }));
  for (const id of ids) await waitForStatus(client, id, 'Running');
  return ids;
}

async function statusesOf(client: TaskHubClient, ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await client.getStatus(id))!.runtimeStatus));
}

for (const kind of storesUnderTest()) {
  describe(`batch jobs on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    it('terminates the instances matching the filter and no other', async () => {
      const inside = await startWaiting(h.client, 'bt-in-', 7);
      const outside = await startWaiting(h.client, 'bt-out-', 3);
      assert.deepEqual(await h.client.startBatch({ operation: 'terminate', filter: { instanceIdPrefix: 'bt-in-' }, dryRun: true }), { matched: 7 });
      const job = await h.client.startBatch({ operation: 'terminate', filter: { instanceIdPrefix: 'bt-in-', runtimeStatus: ['Running'] }, reason: 'batch', chunkSize: 3 });
      assert.equal(job.matched, 7);
      assert.equal(job.state, 'running');
      const finished = await eventually('the batch to complete', async () => {
        const current = await h.client.getBatch(job.id);
        return current.state === 'completed' ? current : undefined;
      });
      assert.deepEqual({ done: finished.done, failed: finished.failed }, { done: 7, failed: 0 });
      for (const id of inside) await waitForStatus(h.client, id, 'Terminated');
      assert.deepEqual(await statusesOf(h.client, outside), ['Running', 'Running', 'Running']);
      assert.ok((await h.client.listBatches()).some((listed) => listed.id === job.id && listed.state === 'completed'));
    });

    it('records per-instance failures and never acts on batch jobs themselves', async () => {
      // Running instances cannot be rewound.
      const ids = await startWaiting(h.client, 'bt-rw-', 2);
      const job = await h.client.startBatch({ operation: 'rewind', filter: { instanceIdPrefix: 'bt-rw-' } });
      const finished = await eventually('the rewind batch to complete', async () => {
        const current = await h.client.getBatch(job.id);
        return current.state === 'completed' ? current : undefined;
      });
      assert.equal(finished.failed, 2);
      assert.deepEqual(finished.failures.map((failure) => failure.instanceId).sort(), ids);
      assert.match(finished.failures[0]!.error, /cannot rewind/);
      // A terminate of everything Running passes over running batch jobs: the dry run does not count them.
      const slow = await h.client.startBatch({ operation: 'suspend', filter: { instanceIdPrefix: 'bt-nothing-' } });
      const everything = await h.client.startBatch({ operation: 'terminate', filter: { instanceIdPrefix: 'taskhub.' }, dryRun: true });
      assert.deepEqual(everything, { matched: 0 });
      await eventually('the empty batch to complete', async () => ((await h.client.getBatch(slow.id)).state === 'completed' ? true : undefined));
    });

    it('can be cancelled: no further chunk is applied', async () => {
      const ids = await startWaiting(h.client, 'bt-cancel-', 6);
      const job = await h.client.startBatch({ operation: 'suspend', filter: { instanceIdPrefix: 'bt-cancel-' }, chunkSize: 1, ratePerSecond: 1 });
      await eventually('the first chunk', async () => ((await h.client.getBatch(job.id)).done >= 1 ? true : undefined));
      await h.client.cancelBatch(job.id);
      const cancelled = await eventually('the batch to be cancelled', async () => {
        const current = await h.client.getBatch(job.id);
        return current.state === 'cancelled' ? current : undefined;
      });
      const done = cancelled.done;
      assert.ok(done < ids.length, `cancelled after ${done} of ${ids.length}`);
      // The chunk in hand when it was cancelled may still be applied, and no other.
      const suspended = await eventually('suspensions to settle', async () => {
        const count = (await statusesOf(h.client, ids)).filter((status) => status === 'Suspended').length;
        return count >= done ? count : undefined;
      });
      assert.ok(suspended <= done + 1, `${suspended} suspended, ${done} counted`);
      await assert.rejects(h.client.getBatch('taskhub.batch.none'), /not found|no instance/i);
    });

    it('paces a chunk under a second at its rate by itself, a longer one by a durable timer', async () => {
      const timersOf = async (prefix: string, ratePerSecond: number) => {
        const ids = await startWaiting(h.client, prefix, 4);
        const job = await h.client.startBatch({ operation: 'terminate', filter: { instanceIdPrefix: prefix }, chunkSize: 2, ratePerSecond });
        await eventually('the batch to complete', async () => ((await h.client.getBatch(job.id)).state === 'completed' ? true : undefined));
        for (const id of ids) await waitForStatus(h.client, id, 'Terminated');
        const history = (await h.client.getStatus(job.id, { showHistory: true }))!.history!;
        return history.filter((event) => event.EventType === 'TimerCreated').length;
      };
      // Two chunks of 2: at 4 a second each takes 500 ms, delivered in slices by the apply; at 2 a second,
      // 1 s, and a timer follows each chunk but the last.
      assert.equal(await timersOf('bt-paced-', 4), 0);
      assert.equal(await timersOf('bt-timed-', 2), 1);
    });

    it('refuses a bad operation or filter and starts nothing', async () => {
      const before = (await h.client.listBatches()).length;
      await assert.rejects(h.client.startBatch({ operation: 'explode' as 'terminate' }), InvalidArgumentError);
      await assert.rejects(h.client.startBatch({ operation: 'terminate', filter: { runtimeStatus: ['Sleeping' as 'Running'] } }), InvalidArgumentError);
      await assert.rejects(h.client.startBatch({ operation: 'raiseEvent' }), InvalidArgumentError);
      await assert.rejects(h.client.startBatch({ operation: 'terminate', chunkSize: 0 }), InvalidArgumentError);
      assert.equal((await h.client.listBatches()).length, before);
      await assert.rejects(h.client.startNew('taskhub.batch'), /taskhub's own/);
      await assert.rejects(h.client.startNew('Approval', { instanceId: 'taskhub.batch.mine' }), /taskhub's own/);
      assert.throws(() => new Registry().orchestrator('taskhub.mine', function* () {}), /taskhub's own/);
    });
  });

  describe(`a batch job whose worker is killed on ${kind}`, () => {
    let store: TestStore;
    let hub: string;
    let taskHub: TaskHub;
    before(async () => {
      store = await createTestStore(kind);
      hub = randomHub();
      taskHub = await createTaskHub({ storage: store.storage, hub, registry: testRegistry(), worker: { logger: silentLogger } });
    });
    after(async () => {
      await taskHub.close();
      await store.destroy();
    });

    it('finishes on another worker with every matching instance handled exactly once', async () => {
      const client = taskHub.client;
      const inside = await startWaiting(client, 'kill-in-', 40);
      const outside = await startWaiting(client, 'kill-out-', 3);
      await taskHub.worker!.stop();
      const job = await client.startBatch({ operation: 'terminate', filter: { instanceIdPrefix: 'kill-in-' }, chunkSize: 4, ratePerSecond: 8 });
      const first = spawnWorker(store, hub, { TASKHUB_TEST_LEASE_MS: '1000' });
      await first.ready;
      await eventually('the job under way', async () => ((await client.getBatch(job.id)).done >= 8 ? true : undefined), 60_000);
      await killHard(first);
      const killedAt = await client.getBatch(job.id);
      assert.ok(killedAt.done < inside.length, `killed after ${killedAt.done}`);
      const second = await createTaskHub({ storage: store.storage, hub, registry: testRegistry(), worker: { logger: silentLogger, orchestrationLeaseMs: 1000, activityLeaseMs: 1000 } });
      try {
        const finished = await eventually('the job to complete on the second worker', async () => {
          const current = await client.getBatch(job.id);
          return current.state === 'completed' ? current : undefined;
        }, 120_000);
        assert.deepEqual({ matched: finished.matched, done: finished.done, failed: finished.failed }, { matched: 40, done: 40, failed: 0 });
        // A termination is a message: the last chunk's may still be on its way to its instances' steps when
        // the job's own step completes it (in the transaction of the chunk's result, docs/adr/0029).
        await eventually('every matching instance to be terminated', async () =>
          (await statusesOf(client, inside)).every((status) => status === 'Terminated') ? true : undefined, 20_000);
        assert.deepEqual(await statusesOf(client, outside), ['Running', 'Running', 'Running']);
        // Each instance got one termination: its history holds one ExecutionTerminated.
        for (const id of inside) {
          const terminations = (await client.getHistory(id)).filter((event) => event.type === 'ExecutionTerminated');
          assert.equal(terminations.length, 1, id);
        }
      } finally {
        await second.close();
      }
    });
  });
}
