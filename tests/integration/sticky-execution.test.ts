/**
 * Sticky execution (docs/adr/0028-sticky-execution.md): the worker that committed an instance's step runs
 * the next one from the run it kept, without reading or replaying the history; when another worker stepped
 * the instance in between, the history is read and replayed, and the result is the same.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, TaskHubClient, Worker, defineOrchestrator, silentLogger, type Backend, type OrchestrationContext, type WorkerOptions } from '../../src/index.js';
import type { OrchestrationWorkItem } from '../../src/backend/backend.js';
import { createTestStore, randomHub, storesUnderTest, type TestStore } from '../support/stores.js';
import { testRegistry } from '../support/test-app.js';
import { eventually } from '../support/polling.js';

/** Counts, per instance, the claims that brought its history and the history reads of the worker. */
class HistoryReads {
  readonly byInstance = new Map<string, number>();

  of(instanceId: string): number {
    return this.byInstance.get(instanceId) ?? 0;
  }

  /** The backend, with its claims and history reads counted. */
  watch(backend: Backend): Backend {
    const count = (instanceId: string) => this.byInstance.set(instanceId, this.of(instanceId) + 1);
    const counted = (item: OrchestrationWorkItem) => {
      if (item.history) count(item.instance.instanceId);
    };
    return new Proxy(backend, {
      get(target, property) {
        if (property === 'claimOrchestrations') {
          return async (...args: Parameters<Backend['claimOrchestrations']>) => {
            const items = await target.claimOrchestrations(...args);
            items.forEach(counted);
            return items;
          };
        }
        if (property === 'completeActivity') {
          return async (...args: Parameters<Backend['completeActivity']>) => {
            const outcome = await target.completeActivity(...args);
            if (outcome.ok && outcome.claimed) counted(outcome.claimed);
            return outcome;
          };
        }
        if (property === 'getHistory') {
          return async (...args: Parameters<Backend['getHistory']>) => {
            count(args[1]);
            return target.getHistory(...args);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

const collect = defineOrchestrator('Collect', function* (context: OrchestrationContext, count: number) {
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) items.push(yield* context.waitForExternalEvent<unknown>('item'));
  return items;
});

function registry(): Registry {
  return testRegistry().add(collect);
}

for (const kind of storesUnderTest()) {
  describe(`sticky execution on ${kind}`, () => {
    let store: TestStore;
    let backend: Backend;
    after(async () => {
      await backend?.close();
      await store?.destroy();
    });

    async function open(): Promise<Backend> {
      store ??= await createTestStore(kind);
      backend ??= await store.open();
      return backend;
    }

    async function runChain(options: Partial<WorkerOptions>): Promise<number> {
      const reads = new HistoryReads();
      const hub = randomHub();
      const watched = reads.watch(await open());
      const worker = new Worker({ backend: watched, hub, registry: registry(), logger: silentLogger, ...options });
      const client = new TaskHubClient({ backend, hub });
      worker.start();
      try {
        const id = await client.startNew('Chain', { input: { steps: 10, delayMs: 0 } });
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 30_000 });
        assert.equal(status.output, 55);
        return reads.of(id);
      } finally {
        await worker.stop();
        await backend.deleteHub(hub);
      }
    }

    it('a chain of ten activities reads its history once, at its first step, with the cache; at every step without', async () => {
      assert.equal(await runChain({}), 1);
      assert.equal(await runChain({ maxCachedInstances: 0 }), 11);
    });

    it('a step another worker committed in between is replayed from the store, and the cache is used again after', async () => {
      const reads = new HistoryReads();
      const hub = randomHub();
      const shared = await open();
      const first = new Worker({ backend: reads.watch(shared), hub, registry: registry(), logger: silentLogger, workerId: 'first' });
      const second = new Worker({ backend: shared, hub, registry: registry(), logger: silentLogger, workerId: 'second' });
      const client = new TaskHubClient({ backend: shared, hub });
      const id = await client.startNew('Collect', { input: 4 });
      const steps = async (worker: Worker, event: number | undefined, length: number) => {
        worker.start();
        if (event !== undefined) await client.raiseEvent(id, 'item', event);
        await eventually(`${length} history events`, async () => ((await shared.getHistory(hub, id)).length === length ? true : undefined));
        await worker.stop();
      };
      try {
        // Each step appends OrchestratorStarted, the event and OrchestratorCompleted.
        await steps(first, undefined, 3);
        assert.equal(reads.of(id), 1);
        await steps(second, 1, 6);
        await steps(first, 2, 9);
        assert.equal(reads.of(id), 2, 'the first worker held a run of three events, the store six: it replayed');
        await steps(first, 3, 12);
        assert.equal(reads.of(id), 2, 'its own last step: the run it kept');
        await steps(second, 4, 16);
        const status = await client.getStatus(id);
        assert.equal(status?.runtimeStatus, 'Completed');
        assert.deepEqual(status?.output, [1, 2, 3, 4]);
      } finally {
        await backend.deleteHub(hub);
      }
    });

    it('rejects a negative cache size with a clear message', async () => {
      const real = await open();
      assert.throws(() => new Worker({ backend: real, hub: 'h', registry: registry(), maxCachedInstances: -1 }), /maxCachedInstances must be a whole number of at least 0/);
    });
  });
}
