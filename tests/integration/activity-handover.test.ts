/**
 * A step's commit leases its new activity tasks to the worker that committed it, which runs them without
 * claiming them (one store round trip fewer per activity), on every store: a chain's activities never go
 * through claimActivities, a fan-out wider than the free slots leaves the rest to claims, and a worker
 * that stops while such a commit is in flight runs the tasks it was handed before it stops.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { TaskHubClient, Worker, silentLogger } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { testRegistry } from '../support/test-app.js';
import { eventually } from '../support/polling.js';

/** The real backend, with the activity tasks that claimActivities handed out counted, and commits slowed on demand. */
function observed(backend: Backend): { backend: Backend; claimedTasks: () => number; slowCommits: (ms: number) => void; commitsStarted: () => number } {
  let claimed = 0;
  let commitDelayMs = 0;
  let commits = 0;
  const wrapper: Backend = Object.create(backend) as Backend;
  wrapper.claimActivities = async (hub, options) => {
    const tasks = await backend.claimActivities(hub, options);
    claimed += tasks.length;
    return tasks;
  };
  wrapper.commitOrchestration = async (hub, item, commit) => {
    commits++;
    if (commitDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, commitDelayMs));
    return backend.commitOrchestration(hub, item, commit);
  };
  return { backend: wrapper, claimedTasks: () => claimed, slowCommits: (ms) => (commitDelayMs = ms), commitsStarted: () => commits };
}

for (const kind of storesUnderTest()) {
  describe(`activities handed over by their step's commit on ${kind}`, () => {
    let store: TestStore;
    let backend: Backend;
    before(async () => {
      store = await createTestStore(kind);
      backend = await store.open();
      await backend.migrate();
    });
    after(async () => {
      await backend.close();
      await store.destroy();
    });

    it("a chain's activities run on the committing worker without a claim", async () => {
      const hub = randomHub();
      const spy = observed(backend);
      const worker = new Worker({ backend: spy.backend, hub, registry: testRegistry(), logger: silentLogger });
      worker.start();
      try {
        const client = new TaskHubClient({ backend, hub });
        const id = await client.startNew('Chain', { input: { steps: 5, delayMs: 0 } });
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed');
        assert.equal(status.output, 15);
        assert.equal(spy.claimedTasks(), 0, 'no activity of the chain was claimed');
      } finally {
        await worker.stop();
      }
    });

    it('a fan-out wider than the free slots hands over what fits and leaves the rest to claims', async () => {
      const hub = randomHub();
      const spy = observed(backend);
      const worker = new Worker({ backend: spy.backend, hub, registry: testRegistry(), logger: silentLogger, activityConcurrency: 4 });
      worker.start();
      try {
        const client = new TaskHubClient({ backend, hub });
        const id = await client.startNew('Fan', { input: { width: 10, delayMs: 20 } });
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.output, 55);
        assert.equal(spy.claimedTasks(), 6, 'four were handed over, six claimed');
      } finally {
        await worker.stop();
      }
    });

    it('a worker stopping while such a commit is in flight runs the handed-over task before it stops', async () => {
      const hub = randomHub();
      const spy = observed(backend);
      const worker = new Worker({ backend: spy.backend, hub, registry: testRegistry(), logger: silentLogger });
      worker.start();
      const client = new TaskHubClient({ backend, hub });
      spy.slowCommits(300);
      const id = await client.startNew('Chain', { input: { steps: 2, delayMs: 0 } });
      await eventually('the first step to be committing', async () => (spy.commitsStarted() > 0 ? true : undefined));
      await worker.stop();
      // The first activity ran and its result waits in the inbox; nothing is left leased to the stopped worker.
      const [next] = await backend.claimOrchestrations(hub, { workerId: 'inspector', max: 10, leaseMs: 60_000 });
      assert.equal(next?.instance.instanceId, id);
      assert.deepEqual(next.messages.map((message) => message.event.type), ['TaskCompleted']);
      assert.deepEqual(await backend.claimActivities(hub, { workerId: 'inspector', max: 10, leaseMs: 60_000 }), []);
    });
  });
}
