/**
 * `taskHub` and `connection` query parameters (S-HTTP, S-HUB-1): they pick the hub and the store, the
 * management URLs carry them, and a setting's value is never echoed to the caller.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTaskHub, type TaskHub } from '../../src/index.js';
import { BASE, HUB, assertErrorBody, send, startTestServer, type TestServer } from './http-harness.js';
import { createTestStore, singleStoreUnderTest, storeExists, type TestStore } from '../support/stores.js';

let server: TestServer;
let otherDirectory: string;
let otherStore: string;
/** A store of the kind under test that nothing has created yet. */
let freshStore: TestStore;
before(async () => {
  otherDirectory = mkdtempSync(join(tmpdir(), 'taskhub-http-other-'));
  otherStore = `sqlite:${join(otherDirectory, 'other.db')}`;
  // A worker's store: the server uses a store named by connection only once it exists.
  await (await createTaskHub({ storage: otherStore, hub: HUB })).close();
  // A store that exists and cannot be opened: the file is not a SQLite database.
  writeFileSync(join(otherDirectory, 'not-a-database.db'), 'x'.repeat(4096));
  freshStore = await createTestStore(singleStoreUnderTest());
  server = await startTestServer({
    env: {
      OTHER_STORE: otherStore,
      FRESH_STORE: freshStore.storage,
      NOT_A_STORE: 'hunter2-secret-value',
      BROKEN_STORE: `sqlite:${join(otherDirectory, 'not-a-database.db')}`,
    },
  });
});
after(async () => {
  await server.close();
  await freshStore.destroy();
  rmSync(otherDirectory, { recursive: true, force: true });
});

describe('taskHub', () => {
  test('selects the hub: the instance lives there only, and its URLs carry taskHub', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld/in-other-hub?taskHub=OtherHub`);
    assert.equal(started.status, 202);
    assert.match(started.body.statusQueryGetUri, /\?taskHub=OtherHub&connection=TASKHUB_STORAGE$/);
    const followed = await send(server.url, 'GET', started.body.statusQueryGetUri);
    assert.equal(followed.status, 202, 'no worker serves OtherHub, so it stays Pending');
    assert.equal(followed.body.runtimeStatus, 'Pending');
    assert.equal((await server.request('GET', `${BASE}/instances/in-other-hub`)).status, 404);
    const listed = await server.request('GET', `${BASE}/instances?taskHub=OtherHub`);
    assert.deepEqual(listed.body.map((status: { instanceId: string }) => status.instanceId), ['in-other-hub']);
    assert.equal((await server.request('POST', `${BASE}/instances/in-other-hub/terminate?taskHub=OtherHub`)).status, 202);
  });

  test('400 for an invalid hub name, on every route', async () => {
    for (const [method, path] of [
      ['POST', `${BASE}/orchestrators/HelloWorld?taskHub=has%20space`],
      ['GET', `${BASE}/instances/x?taskHub=-leading-dash`],
      ['GET', `${BASE}/instances?taskHub=${'a'.repeat(65)}`],
      ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&taskHub=%F0%9F%92%A5`],
      ['POST', `/orchestrators/HelloWorld?taskHub=a&taskHub=b`],
    ] as const) {
      const answer = await server.request(method, path);
      assert.equal(answer.status, 400, path);
      assertErrorBody(answer);
    }
  });
});

describe('connection', () => {
  test('names an environment variable holding another store: the instance is created there', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld/in-other-store?connection=OTHER_STORE`, { json: 'x' });
    assert.equal(started.status, 202);
    assert.match(started.body.statusQueryGetUri, new RegExp(`\\?taskHub=${HUB}&connection=OTHER_STORE$`));
    assert.equal((await send(server.url, 'GET', started.body.statusQueryGetUri)).body.instanceId, 'in-other-store');
    assert.equal(await server.client.getStatus('in-other-store'), undefined);

    const other: TaskHub = await createTaskHub({ storage: otherStore, hub: HUB });
    try {
      assert.equal((await other.client.getStatus('in-other-store'))?.input, 'x');
    } finally {
      await other.close();
    }
  });

  test('the server own setting name is the server store', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld?connection=TASKHUB_STORAGE`);
    assert.equal(started.status, 202);
    assert.ok(await server.client.getStatus(started.body.id));
  });

  test("Durable Functions' default `Storage` names the server store while no variable Storage is set; URLs repeat it", async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld/df-storage?connection=Storage`, { json: 'df' });
    assert.equal(started.status, 202, started.text);
    assert.match(started.body.statusQueryGetUri, new RegExp(`\\?taskHub=${HUB}&connection=Storage$`));
    assert.equal((await server.client.getStatus('df-storage'))?.input, 'df');
    const followed = await send(server.url, 'GET', started.body.statusQueryGetUri);
    assert.equal(followed.body.instanceId, 'df-storage');
  });

  test('with a variable Storage set on the server, `connection=Storage` is that store', async () => {
    const withStorage = await startTestServer({ env: { Storage: otherStore } });
    try {
      const started = await withStorage.request('POST', `${BASE}/orchestrators/HelloWorld/storage-variable?connection=Storage`);
      assert.equal(started.status, 202, started.text);
      assert.equal(await withStorage.client.getStatus('storage-variable'), undefined);
      const other: TaskHub = await createTaskHub({ storage: otherStore, hub: HUB });
      try {
        assert.ok(await other.client.getStatus('storage-variable'));
      } finally {
        await other.close();
      }
    } finally {
      await withStorage.close();
    }
  });

  test('400 for an unset variable, a value that is not a connection string (never echoed), a bad name', async () => {
    const unset = await server.request('GET', `${BASE}/instances?connection=NO_SUCH_SETTING`);
    assert.equal(unset.status, 400);
    assert.match(assertErrorBody(unset), /connection setting 'NO_SUCH_SETTING' is not set/);
    const notStore = await server.request('GET', `${BASE}/instances?connection=NOT_A_STORE`);
    assert.equal(notStore.status, 400);
    assert.match(assertErrorBody(notStore), /does not hold a storage connection string/);
    assert.equal(notStore.text.includes('hunter2'), false);
    const badName = await server.request('GET', `${BASE}/instances?connection=${encodeURIComponent('a b;c')}`);
    assert.equal(badName.status, 400);
  });

  test('a store that no worker has created is never created or migrated by a request, read or write: 400, nothing made', async () => {
    const routes: [string, string][] = [
      ['GET', `${BASE}/instances?connection=FRESH_STORE`],
      ['GET', `${BASE}/instances/some-id?connection=FRESH_STORE`],
      ['POST', `${BASE}/orchestrators/HelloWorld/some-id?connection=FRESH_STORE`],
      ['POST', `${BASE}/instances/some-id/terminate?connection=FRESH_STORE`],
      ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&connection=FRESH_STORE`],
    ];
    for (const [method, path] of routes) {
      const answer = await server.request(method, path);
      assert.equal(answer.status, 400, `${method} ${path}`);
      assert.equal(
        assertErrorBody(answer),
        "the storage of connection setting 'FRESH_STORE' has no taskhub tables of this version; the server never creates or upgrades a store named by connection: run a taskhub worker (taskhub serve) on it first",
      );
    }
    assert.equal(await storeExists(freshStore), false, 'no file or schema was made');

    // Once a worker has created it, the same requests use it; the refusal was not cached.
    const backend = await freshStore.open();
    await backend.close();
    assert.equal((await server.request('GET', `${BASE}/instances?connection=FRESH_STORE`)).status, 200);
    assert.equal((await server.request('POST', `${BASE}/orchestrators/HelloWorld/in-fresh?connection=FRESH_STORE`)).status, 202);
  });

  test('503 when the named store cannot be opened, without the details', async () => {
    const answer = await server.request('GET', `${BASE}/instances?connection=BROKEN_STORE`);
    assert.equal(answer.status, 503);
    assert.match(assertErrorBody(answer), /storage of connection setting 'BROKEN_STORE' cannot be opened/);
    assert.equal(answer.text.includes(otherDirectory), false);
  });
});
