/**
 * The management API under `/durabletask` too, where Durable Functions' clients given an `rpcBaseUrl` send
 * it (without taskHub, connection or code), behind the same API-key rule; and the entity routes, which
 * answer 501 under both bases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, HUB, assertErrorBody, finishedInstance, startTestServer, waitForStatus, waitingApproval, type TestServer } from './http-harness.js';

const RPC = '/durabletask';
const KEY = 'rpc-k3y_0123456789';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('the management API under /durabletask', () => {
  test('start: 202 check-status whose URLs are the webhook ones on the same origin; with timeout, 200 and the output', async () => {
    const started = await server.request('POST', `${RPC}/orchestrators/HelloWorld/rpc-start`, { json: 'Rome' });
    assert.equal(started.status, 202);
    assert.equal(started.body.id, 'rpc-start');
    const statusUrl = `${server.url}${BASE}/instances/rpc-start?taskHub=${HUB}&connection=TASKHUB_STORAGE`;
    assert.equal(started.body.statusQueryGetUri, statusUrl);
    assert.equal(started.headers.location, statusUrl);
    await waitForStatus(server.client, 'rpc-start', (status) => status === 'Completed');

    const waited = await server.request('POST', `${RPC}/orchestrators/HelloWorld?timeout=20`, { json: 'Lima' });
    assert.equal(waited.status, 200);
    assert.equal(waited.body, 'Hello Lima!');
  });

  test('status and list, with the trailing slash the clients send; the query flags apply', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld', 'Oslo', 'rpc-status');
    const status = await server.request('GET', `${RPC}/instances/${id}?showHistory=true&showHistoryOutput=true`);
    assert.equal(status.status, 200);
    assert.equal(status.body.output, 'Hello Oslo!');
    assert.equal(status.body.historyEvents.at(-1).Result, 'Hello Oslo!');
    const running = await waitingApproval(server.client, 'rpc-running');
    const polled = await server.request('GET', `${RPC}/instances/${running}`);
    assert.equal(polled.status, 202);
    assert.equal(polled.headers.location, `${server.url}${BASE}/instances/${running}?taskHub=${HUB}&connection=TASKHUB_STORAGE`);
    await server.client.terminate(running);

    const list = await server.request('GET', `${RPC}/instances/?instanceIdPrefix=rpc-status`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((entry: { instanceId: string; input: unknown }) => [entry.instanceId, entry.input]),
      [['rpc-status', 'Oslo']],
    );
    const missing = await server.request('GET', `${RPC}/instances/rpc-nobody`);
    assert.equal(missing.status, 404);
    assert.match(assertErrorBody(missing), /no instance with id 'rpc-nobody'/);
  });

  test('raiseEvent, suspend, resume, terminate: 202, and they act as on the webhook routes', async () => {
    const approved = await waitingApproval(server.client);
    assert.equal((await server.request('POST', `${RPC}/instances/${approved}/suspend?reason=hold`)).status, 202);
    await waitForStatus(server.client, approved, (status) => status === 'Suspended');
    assert.equal((await server.request('POST', `${RPC}/instances/${approved}/raiseEvent/Approval`, { json: { by: 'rpc' } })).status, 202);
    assert.equal((await server.request('POST', `${RPC}/instances/${approved}/resume?reason=go`)).status, 202);
    const done = await server.client.waitForCompletion(approved, { retryIntervalInMilliseconds: 20 });
    assert.deepEqual(done.output, { outcome: 'approved', data: { by: 'rpc' } });

    const stopped = await waitingApproval(server.client);
    assert.equal((await server.request('POST', `${RPC}/instances/${stopped}/terminate?reason=enough`)).status, 202);
    await waitForStatus(server.client, stopped, (status) => status === 'Terminated');
    const again = await server.request('POST', `${RPC}/instances/${stopped}/terminate`);
    assert.equal(again.status, 410);
    assert.match(assertErrorBody(again), /already finished \(Terminated\)/);
  });

  test('rewind and restart', async () => {
    const id = await finishedInstance(server.client, 'FlakyOnce');
    assert.equal((await server.request('POST', `${RPC}/instances/${id}/rewind?reason=retry`)).status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Completed');
    const restarted = await server.request('POST', `${RPC}/instances/${id}/restart`);
    assert.equal(restarted.status, 202);
    assert.notEqual(restarted.body.id, id);
    assert.equal((await server.client.getStatus(restarted.body.id))?.name, 'FlakyOnce');
  });

  test('purge one instance and purge by filter', async () => {
    const one = await finishedInstance(server.client, 'HelloWorld', 'gone');
    const purged = await server.request('DELETE', `${RPC}/instances/${one}`);
    assert.equal(purged.status, 200);
    assert.deepEqual(purged.body, { instancesDeleted: 1 });
    assert.equal(await server.client.getStatus(one), undefined);

    const from = new Date().toISOString();
    await finishedInstance(server.client, 'HelloWorld', 'gone too');
    const byFilter = await server.request('DELETE', `${RPC}/instances/?createdTimeFrom=${from}&runtimeStatus=Completed`);
    assert.equal(byFilter.status, 200);
    assert.deepEqual(byFilter.body, { instancesDeleted: 1 });
  });

  test('taskHub and connection work there too (the clients send them when given a hub)', async () => {
    const other = server.client.forHub('OtherHub');
    const id = await other.startNew('HelloWorld', { input: 'elsewhere', instanceId: 'rpc-other-hub' });
    const seen = await server.request('GET', `${RPC}/instances/${id}?taskHub=OtherHub&connection=TASKHUB_STORAGE`);
    assert.equal(seen.status, 202, 'no worker serves OtherHub, so it stays Pending');
    assert.equal(seen.body.input, 'elsewhere');
    assert.equal((await server.request('GET', `${RPC}/instances/${id}`)).status, 404, 'the default hub does not have it');
  });

  test('an unknown route under /durabletask is a JSON 404', async () => {
    const answer = await server.request('GET', `${RPC}/nothing-here`);
    assert.equal(answer.status, 404);
    assert.match(assertErrorBody(answer), /there is no route GET \/durabletask\/nothing-here/);
  });
});

describe('entity routes: 501 under both bases', () => {
  const paths = (base: string) => [`${base}/entities`, `${base}/entities/Counter`, `${base}/entities/Counter/key-1`];

  test('GET, POST and DELETE answer 501 "durable entities are not supported", whatever the body', async () => {
    for (const base of [BASE, RPC]) {
      for (const path of paths(base)) {
        for (const [method, options] of [
          ['GET', {}],
          ['POST', { json: { amount: 1 } }],
          ['POST', { raw: 'not json', headers: { 'content-type': 'text/plain' } }],
          ['DELETE', {}],
        ] as const) {
          const answer = await server.request(method, `${path}?op=add`, options);
          assert.equal(answer.status, 501, `${method} ${path}`);
          assert.equal(assertErrorBody(answer), 'durable entities are not supported');
        }
      }
    }
  });
});

describe('/durabletask with an API key', () => {
  let keyed: TestServer;
  before(async () => {
    keyed = await startTestServer({ apiKey: KEY });
  });
  after(async () => {
    await keyed.close();
  });

  test('401 without the key, before anything is started; the header or code works', async () => {
    const refused = await keyed.request('POST', `${RPC}/orchestrators/HelloWorld/keyed`, { json: 'x' });
    assert.equal(refused.status, 401);
    assert.match(assertErrorBody(refused), /requires an API key/);
    assert.equal(await keyed.client.getStatus('keyed'), undefined);
    assert.equal((await keyed.request('GET', `${RPC}/entities/Counter/k`)).status, 401, 'the key is checked before the entity answer');

    assert.equal((await keyed.request('POST', `${RPC}/orchestrators/HelloWorld/keyed`, { json: 'x', headers: { 'x-functions-key': KEY } })).status, 202);
    assert.equal((await keyed.request('GET', `${RPC}/instances/keyed?code=${KEY}`)).body.instanceId, 'keyed');
  });
});
