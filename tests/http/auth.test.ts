/**
 * The API key (S-HTTP, T23): with a key set, every route answers 401 without it or with a wrong one,
 * before reading the body and without changing anything; the `x-functions-key` header and the `code`
 * query parameter both carry it; management URLs hold it only with embedKeyInUrls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHttpServer } from '../../src/http/server.js';
import { BASE, assertErrorBody, countAll, finishedInstance, send, startTestServer, type TestServer } from './http-harness.js';

const KEY = 'k3y-for-tests_0123456789';

/** Every route, with a path that would otherwise succeed or fail for a reason other than the key. */
const ROUTES: [string, string][] = [
  ['POST', `${BASE}/orchestrators/HelloWorld`],
  ['POST', `${BASE}/orchestrators/HelloWorld/auth-id`],
  ['GET', `${BASE}/instances/some-id`],
  ['GET', `${BASE}/instances`],
  ['DELETE', `${BASE}/instances/some-id`],
  ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01`],
  ['POST', `${BASE}/instances/some-id/raiseEvent/Approval`],
  ['POST', `${BASE}/instances/some-id/terminate`],
  ['POST', `${BASE}/instances/some-id/suspend`],
  ['POST', `${BASE}/instances/some-id/resume`],
  ['POST', `${BASE}/instances/some-id/rewind`],
  ['POST', `${BASE}/instances/some-id/restart`],
  ['POST', '/orchestrators/HelloWorld'],
  ['POST', '/orchestrators/HelloWorld/auth-id'],
  ['POST', '/orchestrators/HelloWorld/wait?timeout=1'],
];

describe('with an API key', () => {
  let server: TestServer;
  let completed: string;
  before(async () => {
    server = await startTestServer({ apiKey: KEY });
    completed = await finishedInstance(server.client, 'HelloWorld', 'auth');
  });
  after(async () => {
    await server.close();
  });

  test('every route answers 401 without the key, with a wrong key in either place, and changes nothing', async () => {
    const before = await countAll(server.client);
    for (const [method, path] of ROUTES) {
      const separator = path.includes('?') ? '&' : '?';
      for (const [how, answer] of [
        ['no key', await server.request(method, path)],
        ['wrong header', await server.request(method, path, { headers: { 'x-functions-key': `${KEY}x` } })],
        ['wrong code', await server.request(method, `${path}${separator}code=${encodeURIComponent(KEY.slice(1))}`)],
        ['empty header', await server.request(method, path, { headers: { 'x-functions-key': '' } })],
        ['code twice', await server.request(method, `${path}${separator}code=${KEY}&code=${KEY}`)],
      ] as const) {
        assert.equal(answer.status, 401, `${how}: ${method} ${path}`);
        assert.match(assertErrorBody(answer), /API key/);
      }
    }
    assert.equal(await countAll(server.client), before);
  });

  test('401 comes first: a malformed or oversized body without the key is not even read', async () => {
    const malformed = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 401);
    const huge = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: 'x'.repeat(3 * 1024 * 1024), headers: { 'content-type': 'application/json' } });
    assert.equal(huge.status, 401);
  });

  test('the x-functions-key header and the code query parameter both work', async () => {
    const byHeader = await server.request('GET', `${BASE}/instances/${completed}`, { headers: { 'x-functions-key': KEY } });
    assert.equal(byHeader.status, 200);
    const byCode = await server.request('GET', `${BASE}/instances/${completed}?code=${encodeURIComponent(KEY)}`);
    assert.equal(byCode.status, 200);
    const started = await server.request('POST', '/orchestrators/E1_HelloSequence/wait?timeout=20', { headers: { 'x-functions-key': KEY } });
    assert.equal(started.status, 200);
  });

  test('management URLs and Location do not carry the key', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { headers: { 'x-functions-key': KEY } });
    assert.equal(answer.status, 202);
    assert.equal(answer.text.includes(KEY), false);
    assert.equal(String(answer.headers.location).includes(KEY), false);
    assert.equal(answer.text.includes('code='), false);
    const following = await send(server.url, 'GET', answer.headers.location as string);
    assert.equal(following.status, 401, 'the URL alone does not authorise');
  });
});

describe('with an API key embedded in URLs', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ apiKey: KEY, embedKeyInUrls: true });
  });
  after(async () => {
    await server.close();
  });

  test('every management URL carries code=<key>, and following Location works', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld?code=${KEY}`, { json: 'embedded' });
    assert.equal(answer.status, 202);
    for (const [key, value] of Object.entries(answer.body as Record<string, string>)) {
      if (key !== 'id') assert.ok(value.includes(`code=${KEY}`), key);
    }
    let status = await send(server.url, 'GET', answer.headers.location as string);
    while (status.status === 202) status = await send(server.url, 'GET', answer.headers.location as string);
    assert.equal(status.status, 200);
    assert.equal(status.body.output, 'Hello embedded!');
  });
});

test('createHttpServer refuses an empty API key instead of serving without one', async () => {
  const server = await startTestServer();
  try {
    assert.throws(() => createHttpServer({ backend: server.taskHub.backend, hub: 'DurableFunctionsHub', apiKey: '' }), /the API key is empty/);
  } finally {
    await server.close();
  }
});

describe('without an API key', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  test('no route asks for one, and a stray code parameter is ignored', async () => {
    assert.equal((await server.request('GET', `${BASE}/instances`)).status, 200);
    assert.equal((await server.request('GET', `${BASE}/instances?code=anything`)).status, 200);
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { headers: { 'x-functions-key': 'whatever' } });
    assert.equal(started.status, 202);
    assert.equal(started.text.includes('code='), false);
  });
});
