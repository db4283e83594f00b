/**
 * T18 of docs/reliability.md through a worker, on every store: a step that keeps failing to commit (its leases ran
 * out, or the engine failed on it) fails its instance with PoisonedStepError after maxStepAttempts; a step
 * the engine fails on is retried with growing backoff; an activity task delivered more than maxActivityAttempts times fails
 * without running. Bad limits are refused when the worker is made.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { InvalidArgumentError, TaskHubClient, Worker, silentLogger } from '../../src/index.js';
import { claimedStep, planOrchestrationStep } from '../../src/runtime/orchestration-step.js';
import { randomHub, storesUnderTest } from '../support/stores.js';
import { suiteStore } from '../support/suite-store.js';
import { testRegistry } from '../support/test-app.js';
import { eventually } from '../support/polling.js';

const SHORT_LEASE_MS = 100;
const PAST_SHORT_LEASE_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of storesUnderTest()) {
  describe(`poison steps and activities on ${kind}`, () => {
    const suite = suiteStore(kind);

    /** Claims the instance's step `times` times and lets each lease run out, as crashing workers would. */
    async function claimAndAbandonByCrash(hub: string, times: number): Promise<void> {
      const { backend } = suite;
      for (let i = 0; i < times; i++) {
        const [item] = await backend.claimOrchestrations(hub, { workerId: `crashing-${i}`, max: 1, leaseMs: SHORT_LEASE_MS });
        assert.ok(item, `claim ${i + 1}`);
        await sleep(PAST_SHORT_LEASE_MS);
      }
    }

    it('a step whose workers kept dying fails its instance with PoisonedStepError, without running it again', async () => {
      const { backend } = suite;
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const id = await client.startNew('HelloWorld', { input: 'Ana' });
      await claimAndAbandonByCrash(hub, 3);
      const worker = new Worker({ backend, hub, registry: testRegistry(), logger: silentLogger, maxStepAttempts: 3 });
      worker.start();
      try {
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        const failure = status.failureDetails!;
        assert.equal(failure.errorType, 'PoisonedStepError');
        assert.match(failure.errorMessage, /attempted 3 times without being committed/);
        assert.deepEqual(JSON.parse(failure.details!), { instanceId: id, failedAttempts: 3 });
        const history = await client.getHistory(id);
        assert.deepEqual(history.map((event) => event.type), ['OrchestratorStarted', 'ExecutionStarted', 'ExecutionCompleted', 'OrchestratorCompleted']);
      } finally {
        await worker.stop();
      }
    });

    it('a step the engine fails on is abandoned as a failed attempt and retried with growing backoff', async () => {
      const { backend } = suite;
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      // A defect in the engine, simulated where the worker reads the step: every read of its history throws.
      const claims: { failedAttempts: number; at: number }[] = [];
      const broken: Backend = Object.create(backend) as Backend;
      broken.claimOrchestrations = async (claimHub, options) =>
        (await backend.claimOrchestrations(claimHub, options)).map((item) => {
          claims.push({ failedAttempts: item.failedAttempts, at: Date.now() });
          return Object.defineProperty({ ...item }, 'history', { get: () => { throw new Error('simulated engine defect'); } });
        });
      const errors: string[] = [];
      const logger = { ...silentLogger, error: (message: string) => errors.push(message) };
      const worker = new Worker({ backend: broken, hub, registry: testRegistry(), logger });
      worker.start();
      try {
        const id = await client.startNew('HelloWorld');
        await eventually('three attempts at the step', async () => (claims.length >= 3 ? true : undefined), 20_000);
        assert.deepEqual(claims.slice(0, 3).map((claim) => claim.failedAttempts), [0, 1, 2]);
        // Backoff of 1 s, then 2 s (the store's retry time; not a speed claim, only that it waited).
        assert.ok(claims[1]!.at - claims[0]!.at >= 900, `first retry after ${claims[1]!.at - claims[0]!.at} ms`);
        assert.ok(claims[2]!.at - claims[1]!.at >= 1900, `second retry after ${claims[2]!.at - claims[1]!.at} ms`);
        assert.ok(errors.filter((message) => message.includes('simulated engine defect')).length >= 2);
        assert.equal((await client.getStatus(id))?.runtimeStatus, 'Pending', 'nothing was written');
      } finally {
        await worker.stop();
      }
    });

    it('an activity delivered more than maxActivityAttempts times fails without running', async () => {
      const { backend } = suite;
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const id = await client.startNew('Chain', { input: { steps: 1, delayMs: 0 } });
      // The first step, as a worker runs it, schedules the activity; then two deliveries whose leases run out.
      const [item] = await backend.claimOrchestrations(hub, { workerId: 'stepper', max: 1, leaseMs: 60_000 });
      assert.ok(item);
      const decision = planOrchestrationStep(claimedStep(item), {
        resolveOrchestrator: (name) => testRegistry().getOrchestrator(name),
        maxPayloadBytes: 1 << 20,
        newExecutionId: () => 'next',
      });
      assert.equal(decision.kind, 'commit');
      assert.ok((await backend.commitOrchestration(hub, item, decision.commit)).ok);
      for (let i = 0; i < 2; i++) {
        const [task] = await backend.claimActivities(hub, { workerId: `crashing-${i}`, max: 1, leaseMs: SHORT_LEASE_MS });
        assert.equal(task?.attempt, i + 1);
        await sleep(PAST_SHORT_LEASE_MS);
      }
      const worker = new Worker({ backend, hub, registry: testRegistry(), logger: silentLogger, maxActivityAttempts: 2 });
      worker.start();
      try {
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        const inner = status.failureDetails?.innerFailure;
        assert.equal(inner?.errorType, 'ActivityAttemptsExceededError');
        assert.match(inner.errorMessage, /delivered 3 times, more than the limit of 2/);
      } finally {
        await worker.stop();
      }
    });

    it('refuses attempt limits that are not whole numbers of at least 1', () => {
      const { backend } = suite;
      const make = (limits: { maxStepAttempts?: number; maxActivityAttempts?: number }) =>
        new Worker({ backend, hub: randomHub(), registry: testRegistry(), logger: silentLogger, ...limits });
      assert.throws(() => make({ maxStepAttempts: 0 }), /maxStepAttempts must be a whole number of at least 1, not 0/);
      assert.throws(() => make({ maxActivityAttempts: 2.5 }), InvalidArgumentError);
    });
  });
}
