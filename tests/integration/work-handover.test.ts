/**
 * Work handed over in the transaction that readies it, on every store: a step's commit leases its new
 * activity tasks to the worker that committed it, and an activity's completion claims the step it readies
 * for the worker that completed it, so neither needs a claim of its own (ADR 0006). A chain is claimed
 * once, at its start; a fan-out wider than the free slots leaves the rest to claims; a busy worker hands
 * nothing over; a worker that stops while such a commit is in flight runs what it was handed before it
 * stops, and hands nothing more over.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { TaskHubClient, Worker, silentLogger, type WorkerOptions } from '../../src/index.js';
import { randomHub, storesUnderTest } from '../support/stores.js';
import { suiteStore } from '../support/suite-store.js';
import { testRegistry } from '../support/test-app.js';
import { eventually } from '../support/polling.js';

interface Observed {
  backend: Backend;
  claimedTasks(): number;
  claimedSteps(): number;
  slowCommits(ms: number): void;
  commitsStarted(): number;
}

/** The real backend, with the work its claims handed out counted, and commits slowed on demand. */
function observed(backend: Backend): Observed {
  let claimed = 0;
  let claimedSteps = 0;
  let commitDelayMs = 0;
  let commits = 0;
  const wrapper: Backend = Object.create(backend) as Backend;
  wrapper.claimActivities = async (hub, options) => {
    const tasks = await backend.claimActivities(hub, options);
    claimed += tasks.length;
    return tasks;
  };
  wrapper.claimOrchestrations = async (hub, options) => {
    const steps = await backend.claimOrchestrations(hub, options);
    claimedSteps += steps.length;
    return steps;
  };
  wrapper.commitOrchestration = async (hub, item, commit) => {
    commits++;
    if (commitDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, commitDelayMs));
    return backend.commitOrchestration(hub, item, commit);
  };
  // A step committed with its activity's result (docs/adr/0029) is a commit too.
  wrapper.completeActivityWithStep = async (...args) => {
    commits++;
    return backend.completeActivityWithStep(...args);
  };
  return {
    backend: wrapper,
    claimedTasks: () => claimed,
    claimedSteps: () => claimedSteps,
    slowCommits: (ms) => (commitDelayMs = ms),
    commitsStarted: () => commits,
  };
}

/** A worker on a fresh hub, over the observed store, and a client of that hub over the store itself. */
function observedWorker(backend: Backend, options: Partial<WorkerOptions> = {}) {
  const hub = randomHub();
  const spy = observed(backend);
  const worker = new Worker({ backend: spy.backend, hub, registry: testRegistry(), logger: silentLogger, ...options });
  worker.start();
  return { hub, spy, worker, client: new TaskHubClient({ backend, hub }) };
}

for (const kind of storesUnderTest()) {
  describe(`work handed over by the commit that readies it on ${kind}`, () => {
    const suite = suiteStore(kind);

    it('a chain is claimed once: its activities and later steps are handed over', async () => {
      const { backend } = suite;
      const { spy, worker, client } = observedWorker(backend);
      try {
        const id = await client.startNew('Chain', { input: { steps: 5, delayMs: 0 } });
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed');
        assert.equal(status.output, 15);
        assert.equal(spy.claimedTasks(), 0, 'no activity of the chain was claimed');
        assert.equal(spy.claimedSteps(), 1, 'only the first step was claimed');
      } finally {
        await worker.stop();
      }
    });

    it('a fan-out wider than the free slots hands over what fits and leaves the rest to claims', async () => {
      const { backend } = suite;
      const { spy, worker, client } = observedWorker(backend, { activityConcurrency: 4 });
      try {
        const id = await client.startNew('Fan', { input: { width: 10, delayMs: 20 } });
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.output, 55);
        assert.equal(spy.claimedTasks(), 6, 'four were handed over, six claimed');
      } finally {
        await worker.stop();
      }
    });

    it('a busy worker hands nothing over: work waits for a claim, batched with other work', async () => {
      const { backend } = suite;
      const { spy, worker, client } = observedWorker(backend);
      try {
        // Four slow activities, handed over to the idle worker, keep its activity dispatcher busy.
        const fan = await client.startNew('Fan', { input: { width: 4, delayMs: 3000 } });
        await eventually('the fan-out to be running', async () => (spy.commitsStarted() >= 1 ? true : undefined));
        const chain = await client.startNew('Chain', { input: { steps: 1, delayMs: 0 } });
        assert.equal((await client.waitForCompletion(chain, { timeoutInMilliseconds: 20_000 })).output, 1);
        assert.equal(spy.claimedTasks(), 1, "the chain's activity was claimed, not handed over");
        assert.equal((await client.waitForCompletion(fan, { timeoutInMilliseconds: 20_000 })).output, 10);
      } finally {
        await worker.stop();
      }
    });

    it('a worker stopping while such a commit is in flight runs the handed-over task before it stops', async () => {
      const { backend } = suite;
      const { hub, spy, worker, client } = observedWorker(backend);
      spy.slowCommits(300);
      const id = await client.startNew('Chain', { input: { steps: 2, delayMs: 0 } });
      try {
        await eventually('the first step to be committing', async () => (spy.commitsStarted() > 0 ? true : undefined));
      } finally {
        await worker.stop();
      }
      // The first activity ran and its result waits in the inbox; nothing is left leased to the stopped worker.
      const [next] = await backend.claimOrchestrations(hub, { workerId: 'inspector', max: 10, leaseMs: 60_000 });
      assert.equal(next?.instance.instanceId, id);
      assert.deepEqual(next.messages.map((message) => message.event.type), ['TaskCompleted']);
      assert.deepEqual(await backend.claimActivities(hub, { workerId: 'inspector', max: 10, leaseMs: 60_000 }), []);
    });

    it('stops handing work over once the worker stops: a long chain is left for the next worker', async () => {
      const { backend } = suite;
      const { spy, worker, client } = observedWorker(backend);
      const id = await client.startNew('Chain', { input: { steps: 100_000, delayMs: 0 } });
      try {
        await eventually('the chain to be well under way', async () => (spy.commitsStarted() >= 20 ? true : undefined));
      } finally {
        await worker.stop();
      }
      const status = await client.getStatus(id);
      assert.equal(status?.runtimeStatus, 'Running');
      const history = await client.getHistory(id);
      assert.ok(history.length < 4 * 1000, `the stopped worker went no further (${history.length} events)`);
      await client.terminate(id, 'test over');
    });
  });
}
