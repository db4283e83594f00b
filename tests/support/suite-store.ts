/** A migrated store shared by the tests of one suite: made before them, destroyed after them. */
import { after, before } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { createTestStore, type StoreKind, type TestStore } from './stores.js';

/** Call inside a describe(): registers the hooks; `backend` is ready from the first test on. */
export function suiteStore(kind: StoreKind): { readonly backend: Backend } {
  let store: TestStore | undefined;
  let backend: Backend | undefined;
  before(async () => {
    store = await createTestStore(kind);
    backend = await store.open();
    await backend.migrate();
  });
  after(async () => {
    await backend?.close();
    await store?.destroy();
  });
  return {
    get backend(): Backend {
      if (!backend) throw new Error('the suite store is made in before(): use it inside a test');
      return backend;
    },
  };
}
