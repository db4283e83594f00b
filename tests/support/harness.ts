/** Starts a store, a client and an in-process worker for one test, and tears them down after. */
import { createTaskHub, silentLogger, type TaskHub, type TaskHubOptions } from '../../src/index.js';
import { createTestStore, randomHub, type StoreKind, type TestStore } from './stores.js';
import { testRegistry } from './test-app.js';

export interface Harness extends TaskHub {
  store: TestStore;
  hub: string;
}

export async function startHarness(kind: StoreKind, options: Partial<TaskHubOptions> = {}): Promise<Harness> {
  const store = await createTestStore(kind);
  const backend = await store.open();
  const hub = randomHub();
  const taskHub = await createTaskHub({
    storage: backend,
    hub,
    registry: testRegistry(),
    ...options,
    worker: options.worker === false ? false : { logger: silentLogger, ...(options.worker ?? {}) },
  });
  return {
    ...taskHub,
    store,
    hub,
    async close() {
      await taskHub.close();
      await backend.close();
      await store.destroy();
    },
  };
}
