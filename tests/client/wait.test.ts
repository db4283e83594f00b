/**
 * Waiting at scale (src/client/wait.ts, finish-watcher.ts): every wait on a store and hub shares one
 * subscription, a "finished" signal wakes only its instance's waiters, an abandoned wait leaves nothing
 * subscribed, a microsecond retry interval does not read the store in a loop, and an instance finished by
 * another process is still seen, and the waits' reads go out together. The client's store is counted
 * through a wrapper around a real backend.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { TaskHubClient, WaitTimeoutError, silentLogger } from '../../src/index.js';
import type { Backend, WorkSignal } from '../../src/backend/backend.js';
import { createHttpServer } from '../../src/http/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { spawnWorker, stopGracefully } from '../support/spawn-worker.js';
import { eventually, waitForStatus } from '../support/polling.js';
import { storesUnderTest } from '../support/stores.js';
import { testRegistry } from '../support/test-app.js';

interface Counts {
  subscriptions: number;
  active: number;
  /** Calls of getInstance and getInstances. */
  queries: number;
  /** Per instance id, how often a query asked for it. */
  reads: Map<string, number>;
}

/** The backend as it is, with its subscriptions and instance reads counted. */
function counted(backend: Backend): { backend: Backend; counts: Counts } {
  const counts: Counts = { subscriptions: 0, active: 0, queries: 0, reads: new Map() };
  const subscribe = (hub: string, listener: (signal: WorkSignal) => void) => {
    counts.subscriptions++;
    counts.active++;
    const unsubscribe = backend.subscribe(hub, listener);
    let subscribed = true;
    return () => {
      if (subscribed) counts.active--;
      subscribed = false;
      unsubscribe();
    };
  };
  const getInstance: Backend['getInstance'] = (hub, instanceId, options) => {
    counts.queries++;
    counts.reads.set(instanceId, (counts.reads.get(instanceId) ?? 0) + 1);
    return backend.getInstance(hub, instanceId, options);
  };
  const getInstances: Backend['getInstances'] = (hub, instanceIds, options) => {
    counts.queries++;
    for (const instanceId of instanceIds) counts.reads.set(instanceId, (counts.reads.get(instanceId) ?? 0) + 1);
    return backend.getInstances(hub, instanceIds, options);
  };
  const wrapped = new Proxy(backend, {
    get(target, key) {
      if (key === 'subscribe') return subscribe;
      if (key === 'getInstance') return getInstance;
      if (key === 'getInstances') return getInstances;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { backend: wrapped, counts };
}

/** A client on a second backend object of the harness's store, counted. */
async function countedClient(harness: Harness) {
  const opened = await harness.store.open();
  const { backend, counts } = counted(opened);
  return { client: new TaskHubClient({ backend, hub: harness.hub }), counts, close: () => opened.close() };
}

async function startApprovals(harness: Harness, count: number): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: count }, () => harness.client.startNew('Approval', { input: { timeoutSeconds: 600 } })));
  for (const id of ids) await waitForStatus(harness.client, id, 'Running');
  return ids;
}

const everyRead = (counts: Counts, ids: string[]) => () => Promise.resolve(ids.every((id) => counts.reads.has(id)) ? true : undefined);

for (const kind of storesUnderTest()) {
  describe(`waiting for instances on ${kind}`, () => {
    it('holds one subscription for many waits, and a signal wakes only its own instance\'s waiter', async () => {
      const harness = await startHarness(kind);
      const { client, counts, close } = await countedClient(harness);
      try {
        const ids = await startApprovals(harness, 40);
        // The interval is far longer than the test: any read after the first comes from a signal.
        const waits = ids.map((id) => client.waitForCompletion(id, { timeoutInMilliseconds: 120_000, retryIntervalInMilliseconds: 60_000 }));
        await eventually('every waiter to read its status once', everyRead(counts, ids));
        assert.equal(counts.subscriptions, 1);
        assert.equal(counts.active, 1);

        await harness.client.raiseEvent(ids[0]!, 'Approval', 'yes');
        const first = await waits[0]!;
        assert.deepEqual(first.output, { outcome: 'approved', data: 'yes' });
        assert.equal(counts.reads.get(ids[0]!), 2, 'the finished instance is read once more');
        for (const id of ids.slice(1)) assert.equal(counts.reads.get(id), 1, `instance ${id} was not read again`);

        for (const id of ids.slice(1)) await harness.client.terminate(id, 'done');
        for (const status of await Promise.all(waits.slice(1))) assert.equal(status.runtimeStatus, 'Terminated');
        assert.equal(counts.active, 0, 'the last wait to end unsubscribed');
        assert.equal(counts.subscriptions, 1);
      } finally {
        await close();
        await harness.close();
      }
    });

    it('reads the statuses of many waits in one query, at their start and when one group commit finishes them', async () => {
      const harness = await startHarness(kind);
      const { client, counts, close } = await countedClient(harness);
      try {
        const ids = await startApprovals(harness, 200);
        const waits = ids.map((id) => client.waitForCompletion(id, { timeoutInMilliseconds: 120_000, retryIntervalInMilliseconds: 60_000 }));
        await eventually('every waiter to read its status once', everyRead(counts, ids));
        assert.equal(counts.queries, 1, 'the 200 waits started in one turn read in one query');

        // Terminations sent at once finish in few steps' commits; their waiters read together.
        await Promise.all(ids.map((id) => harness.client.terminate(id, 'done')));
        for (const status of await Promise.all(waits)) assert.equal(status.runtimeStatus, 'Terminated');
        const queriesAfterSignals = counts.queries - 1;
        assert.ok(queriesAfterSignals < ids.length / 4, `${queriesAfterSignals} queries for ${ids.length} woken waits`);
      } finally {
        await close();
        await harness.close();
      }
    });

    it('leaves nothing subscribed when waits time out or are aborted, and subscribes again for the next', async () => {
      const harness = await startHarness(kind);
      const { client, counts, close } = await countedClient(harness);
      try {
        const ids = await startApprovals(harness, 6);
        // Each outcome is taken at once, so no rejection goes unhandled while the test waits.
        const outcome = (wait: Promise<unknown>) => wait.then(() => 'returned', (error: unknown) => error);
        const timedOut = ids.slice(0, 3).map((id) => outcome(client.waitForCompletion(id, { timeoutInMilliseconds: 200, retryIntervalInMilliseconds: 100 })));
        const controller = new AbortController();
        const aborted = ids.slice(3).map((id) => outcome(client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, signal: controller.signal })));
        await eventually('every waiter to read its status once', everyRead(counts, ids.slice(3)));
        assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'the waits on one signal share one listener');
        controller.abort(new Error('caller gave up'));
        for (const error of await Promise.all(timedOut)) assert.ok(error instanceof WaitTimeoutError);
        for (const error of await Promise.all(aborted)) assert.match(String(error), /caller gave up/);
        assert.equal(counts.active, 0);

        const next = client.waitForCompletion(ids[0]!, { timeoutInMilliseconds: 60_000 });
        await harness.client.raiseEvent(ids[0]!, 'Approval');
        assert.equal((await next).runtimeStatus, 'Completed');
        assert.equal(counts.subscriptions, 2);
        assert.equal(counts.active, 0);
        for (const id of ids.slice(1)) await harness.client.terminate(id);
      } finally {
        await close();
        await harness.close();
      }
    });

    it('reads the store no more often than the floor allows when the retry interval is a microsecond', async () => {
      const harness = await startHarness(kind);
      const { client, counts, close } = await countedClient(harness);
      try {
        const [id] = await startApprovals(harness, 1);
        await assert.rejects(client.waitForCompletion(id!, { timeoutInMilliseconds: 700, retryIntervalInMilliseconds: 0.001 }), WaitTimeoutError);
        // Reads at 0, 100, 300 and 700 ms (the floor, doubling); without a floor it would be hundreds.
        const reads = counts.reads.get(id!) ?? 0;
        assert.ok(reads >= 2 && reads <= 5, `${reads} reads in 0.7 s`);
        await harness.client.terminate(id!);
      } finally {
        await close();
        await harness.close();
      }
    });

    it('polls within one budget for the hub however many wait', async () => {
      // No worker: the instances stay Pending, and every read after the first is a poll.
      const harness = await startHarness(kind, { worker: false });
      const { client, counts, close } = await countedClient(harness);
      try {
        const ids = await Promise.all(Array.from({ length: 300 }, () => harness.client.startNew('Approval')));
        const started = Date.now();
        const waits = ids.map((id) =>
          client.waitForCompletion(id, { timeoutInMilliseconds: 1_000, retryIntervalInMilliseconds: 100 }).then(
            () => assert.fail('a Pending instance finished'),
            (error: unknown) => assert.ok(error instanceof WaitTimeoutError),
          ),
        );
        await Promise.all(waits);
        const elapsedSeconds = (Date.now() - started) / 1000;
        const polls = [...counts.reads.values()].reduce((sum, reads) => sum + reads, 0) - 2 * ids.length;
        // Each wait reads at its start and at its deadline; 100 polls a second in between at most (300
        // waits on their own would poll at 0.1, 0.3 and 0.7 s: 900 times).
        assert.ok(polls <= 100 * elapsedSeconds + 10, `${polls} polls in ${elapsedSeconds} s`);
      } finally {
        await close();
        await harness.close();
      }
    });

    it('returns for an instance that a worker in another process finished', async () => {
      const harness = await startHarness(kind, { worker: false });
      const worker = spawnWorker(harness.store, harness.hub);
      try {
        await worker.ready;
        const ids = await Promise.all(Array.from({ length: 5 }, () => harness.client.startNew('Chain', { input: { steps: 2, delayMs: 5 } })));
        const statuses = await Promise.all(
          ids.map((id) => harness.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 100 })),
        );
        for (const status of statuses) assert.deepEqual([status.runtimeStatus, status.output], ['Completed', 3]);
      } finally {
        await stopGracefully(worker);
        await harness.close();
      }
    });

    it('shares the one subscription among waits over HTTP', async () => {
      const harness = await startHarness(kind);
      const opened = await harness.store.open();
      const { backend, counts } = counted(opened);
      const app = createHttpServer({ backend, hub: harness.hub, registry: testRegistry(), logger: silentLogger });
      try {
        const url = await app.listen({ port: 0, host: '127.0.0.1' });
        const ids = Array.from({ length: 20 }, (_, i) => `http-wait-${i}`);
        const answers = ids.map((id) =>
          fetch(`${url}/runtime/webhooks/durabletask/orchestrators/Approval/${id}?timeout=60&pollingInterval=30`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ timeoutSeconds: 600 }),
          }),
        );
        await eventually('every request to read its status once', everyRead(counts, ids));
        assert.equal(counts.active, 1);
        for (const id of ids) {
          await waitForStatus(harness.client, id, 'Running');
          await harness.client.raiseEvent(id, 'Approval', id);
        }
        for (const [i, answer] of (await Promise.all(answers)).entries()) {
          assert.equal(answer.status, 200);
          assert.deepEqual(await answer.json(), { outcome: 'approved', data: ids[i] });
        }
        assert.equal(counts.subscriptions, 1);
        assert.equal(counts.active, 0);
      } finally {
        await app.close();
        await opened.close();
        await harness.close();
      }
    });
  });
}
