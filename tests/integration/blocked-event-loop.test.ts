/**
 * Activity code that blocks the event loop for ever (a busy loop after an await, which no timer can stop):
 * the worker's watcher thread ends the process after eventLoopBlockLimitMs, naming the activity, so the
 * process does not hang unanswering; its lease expires, and the task's next delivery beyond
 * maxActivityAttempts fails it without running it again. On every store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskHubClient, Worker, silentLogger, type FailureDetails } from '../../src/index.js';
import { createTestStore, randomHub, storesUnderTest } from '../support/stores.js';
import { spawnWorker } from '../support/spawn-worker.js';
import { testRegistry } from '../support/test-app.js';

const BLOCK_LIMIT_MS = 1000;
const LEASE_MS = 1000;

for (const kind of storesUnderTest()) {
  describe(`an activity that blocks the event loop, on ${kind}`, () => {
    it('ends its worker process after eventLoopBlockLimitMs with a message naming it; the task then fails past maxActivityAttempts', async () => {
      const store = await createTestStore(kind);
      const backend = await store.open();
      const hub = randomHub();
      const client = new TaskHubClient({ backend, hub });
      const blocked = spawnWorker(store, hub, { TASKHUB_TEST_BLOCK_LIMIT_MS: String(BLOCK_LIMIT_MS), TASKHUB_TEST_LEASE_MS: String(LEASE_MS) }, { captureStderr: true });
      let rescuer: Worker | undefined;
      try {
        await blocked.ready;
        const id = await client.startNew('BlocksTheEventLoop');
        await blocked.exited;
        assert.equal(blocked.child.signalCode, 'SIGKILL');
        assert.match(blocked.stderr(), /the event loop of process \d+ has been blocked for \d+ s \(more than eventLoopBlockLimitMs, 1000 ms\): the process ends so that other workers take its work over/);
        assert.match(blocked.stderr(), new RegExp(`In hand: activity 'BusyAfterAwait' \\(instance '${id}', task 0, attempt 1\\)`));

        rescuer = new Worker({ backend, hub, registry: testRegistry(), logger: silentLogger, maxActivityAttempts: 1, activityLeaseMs: LEASE_MS });
        rescuer.start();
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.runtimeStatus, 'Failed');
        const failure = status.failureDetails as FailureDetails;
        assert.equal(failure.innerFailure?.errorType, 'ActivityAttemptsExceededError');
        assert.match(failure.innerFailure.errorMessage, /'BusyAfterAwait' \(task 0\) was delivered 2 times, more than the limit of 1/);
      } finally {
        blocked.child.kill('SIGKILL');
        await blocked.exited;
        await rescuer?.stop();
        await backend.close();
        await store.destroy();
      }
    });
  });
}
