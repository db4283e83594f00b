/**
 * Requests from web pages (docs/reliability.md, "Threat model of the HTTP server"), header by header: a
 * request a browser made for a page of another site or origin is 403 on every route, with nothing changed;
 * without an API key a request addressed to a name other than loopback's is 421 (DNS rebinding); clients
 * that send neither header (curl, the CLI, server code, Durable Functions' clients) and the server's own
 * pages pass. tests/http/browser.test.ts does the same with a real browser.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/index.js';
import { createHttpServer } from '../../src/http/server.js';
import { BASE, assertErrorBody, finishedInstance, send, startTestServer, waitingApproval, type TestServer } from './http-harness.js';

const KEY = 'cross-site-test-key';

/** Every instance's status and last update: what a refused request must leave as it was. */
async function snapshot(server: TestServer): Promise<string> {
  const page = await server.client.listInstances({ pageSize: 1000 });
  const rows = await Promise.all(
    page.instances.map(async (status) => `${status.instanceId} ${status.runtimeStatus} ${status.lastUpdatedTime} ${(await server.client.getHistory(status.instanceId)).length}`),
  );
  return rows.sort().join('\n');
}

/** Every state-changing route, aimed at instances in the state where it would succeed. */
function changingRoutes(ids: { waiting: string; failed: string; completed: string }): [string, string][] {
  return [
    ['POST', `${BASE}/orchestrators/HelloWorld/csrf-start`],
    ['POST', `/orchestrators/HelloWorld/csrf-sample`],
    ['POST', `/orchestrators/HelloWorld/wait?timeout=1`],
    ['POST', `${BASE}/orchestrators/HelloWorld/${ids.completed}`],
    ['POST', `${BASE}/instances/${ids.waiting}/raiseEvent/Approval`],
    ['POST', `${BASE}/instances/${ids.waiting}/terminate`],
    ['POST', `${BASE}/instances/${ids.waiting}/suspend`],
    ['POST', `${BASE}/instances/${ids.failed}/rewind`],
    ['POST', `${BASE}/instances/${ids.completed}/restart`],
    ['DELETE', `${BASE}/instances/${ids.completed}`],
    ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01`],
  ];
}

/** A raw request whose request line and headers are written as given; the server closes the connection after answering. */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${head}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

describe('without an API key', () => {
  let server: TestServer;
  let ids: { waiting: string; failed: string; completed: string };
  let own: string;
  before(async () => {
    server = await startTestServer();
    own = server.url;
    ids = {
      waiting: await waitingApproval(server.client),
      failed: await finishedInstance(server.client, 'AlwaysFails'),
      completed: await finishedInstance(server.client, 'HelloWorld', 'x'),
    };
  });
  after(() => server.close());

  const crossSiteHeaders: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (another port)', { 'sec-fetch-site': 'same-site' }],
    ['Origin of another port', { origin: 'http://127.0.0.1:1' }],
    ['Origin of another host', { origin: 'http://attacker.example' }],
    ['Origin: null (a sandboxed frame or a file: page)', { origin: 'null' }],
    ['Origin that is not a URL', { origin: 'garbage' }],
    ['a cross-site form POST', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', origin: 'http://attacker.example' }],
    ['a foreign Origin that claims same-origin', { 'sec-fetch-site': 'same-origin', origin: 'http://attacker.example' }],
  ];

  test('a request from another site or origin is 403 on every route that changes state, and nothing changes', async () => {
    const before = await snapshot(server);
    for (const [method, path] of changingRoutes(ids)) {
      for (const [what, headers] of crossSiteHeaders) {
        const answer = await server.request(method, path, { headers });
        assert.equal(answer.status, 403, `${what}: ${method} ${path}`);
        assert.match(assertErrorBody(answer), /made by a web page of another (site|origin).*clients that are not browsers/, what);
      }
    }
    assert.equal(await snapshot(server), before);
    assert.equal(await server.client.getStatus('csrf-start'), undefined);
  });

  test('reads from another site are 403 too: an <img> GET carries Sec-Fetch-Site and no Origin', async () => {
    for (const path of [`${BASE}/instances`, `${BASE}/instances/${ids.waiting}`, `${BASE}/instances?connection=TASKHUB_STORAGE`]) {
      const image = await server.request('GET', path, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' } });
      assert.equal(image.status, 403, path);
      const cors = await server.request('GET', path, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', origin: 'http://attacker.example' } });
      assert.equal(cors.status, 403, path);
    }
  });

  test('a link to the API followed from another site opens (a top-level GET of a document)', async () => {
    const answer = await server.request('GET', `${BASE}/instances/${ids.completed}`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    assert.equal(answer.status, 200);
    const framed = await server.request('GET', `${BASE}/instances/${ids.completed}`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
    });
    assert.equal(framed.status, 403, 'a frame on another site is not a followed link');
  });

  test("clients that send neither header, and the server's own pages, pass", async () => {
    const ownPage: [string, Record<string, string>][] = [
      ['no header (curl, the CLI, server code, Durable Functions clients)', {}],
      ['Sec-Fetch-Site: same-origin with its Origin', { 'sec-fetch-site': 'same-origin', origin: own }],
      ['Origin alone', { origin: own }],
      ['Origin on https (behind a TLS-terminating proxy)', { origin: own.replace('http:', 'https:') }],
      ['Sec-Fetch-Site: none (typed in the address bar)', { 'sec-fetch-site': 'none' }],
    ];
    for (const [what, headers] of ownPage) {
      const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { headers, json: what });
      assert.equal(started.status, 202, what);
      await server.client.waitForCompletion(started.body.id, { retryIntervalInMilliseconds: 20 });
      const read = await server.request('GET', `${BASE}/instances/${started.body.id}`, { headers });
      assert.equal(read.status, 200, what);
    }
  });

  test('a request addressed to a name other than loopback is 421 on every route (DNS rebinding), and nothing changes', async () => {
    const before = await snapshot(server);
    const port = new URL(own).port;
    for (const host of [`attacker.example:${port}`, 'attacker.example', `localhost.attacker.example:${port}`, `10.1.2.3:${port}`, `[fe80::1]:${port}`]) {
      for (const [method, path] of [...changingRoutes(ids), ['GET', `${BASE}/instances`] as [string, string]]) {
        const answer = await server.request(method, path, { headers: { host } });
        assert.equal(answer.status, 421, `${host}: ${method} ${path}`);
        assert.match(assertErrorBody(answer), /answers only requests addressed to localhost, 127\.0\.0\.1, \[::1\] or the IP address they arrived on/);
      }
    }
    // The request line's absolute URL counts as where the request was addressed.
    assert.match(await rawRequest(own, `GET http://attacker.example:${port}${BASE}/instances HTTP/1.1\r\nHost: 127.0.0.1:${port}`), /^HTTP\/1\.1 421 /);
    assert.equal(await snapshot(server), before);
  });

  test('loopback names pass, with or without the port, in any letter case', async () => {
    const port = new URL(own).port;
    for (const host of [`localhost:${port}`, 'localhost', `LocalHost:${port}`, `127.0.0.1:${port}`, '127.0.0.1', `127.0.0.2:${port}`, `[::1]:${port}`, '[::1]', `[0:0:0:0:0:0:0:1]:${port}`]) {
      const answer = await server.request('GET', `${BASE}/instances`, { headers: { host } });
      assert.equal(answer.status, 200, host);
    }
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { headers: { host: `localhost:${port}` } });
    assert.equal(started.status, 202);
    assert.ok(started.body.statusQueryGetUri.startsWith(`http://localhost:${port}/`));
    await server.client.waitForCompletion(started.body.id, { retryIntervalInMilliseconds: 20 });
  });

  test('a malformed Host is 400 on every route; HTTP/1.0 without Host is not refused for its Host', async () => {
    for (const [method, path] of [['GET', `${BASE}/instances`], ['POST', `${BASE}/instances/${ids.waiting}/terminate`]]) {
      const answer = await server.request(method!, path!, { headers: { host: 'a b' } });
      assert.equal(answer.status, 400);
      assert.match(assertErrorBody(answer), /the Host header "a b" is not a host name with an optional port/);
    }
    assert.match(await rawRequest(own, `GET ${BASE}/instances HTTP/1.0`), /^HTTP\/1\.1 200 /);
    assert.equal((await server.client.getStatus(ids.waiting))?.runtimeStatus, 'Running');
  });
});

describe('with an API key', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ apiKey: KEY });
  });
  after(() => server.close());

  test('any Host is accepted, since a rebinding page cannot know the key', async () => {
    const answer = await server.request('GET', `${BASE}/instances`, { headers: { host: 'tasks.example.com', 'x-functions-key': KEY } });
    assert.equal(answer.status, 200);
    const started = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { headers: { host: 'tasks.example.com:8443', 'x-functions-key': KEY } });
    assert.equal(started.status, 202);
    assert.ok(started.body.statusQueryGetUri.startsWith('http://tasks.example.com:8443/'));
  });

  test('a cross-site request is still 403, key or not, before the key is checked', async () => {
    const attempts: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'cross-site', 'x-functions-key': KEY }, { origin: 'http://attacker.example', 'x-functions-key': KEY }];
    for (const headers of attempts) {
      const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld/keyed-csrf`, { headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
    }
    assert.equal(await server.client.getStatus('keyed-csrf'), undefined);
  });
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;
}

describe('without an API key, reached on another address (--insecure)', { skip: lanAddress() === undefined && 'no non-loopback address' }, () => {
  test('the address the request arrived on passes; a name is 421', async () => {
    const address = lanAddress()!;
    const base = await startTestServer();
    const app = createHttpServer({ logger: silentLogger, backend: base.taskHub.backend, hub: 'DurableFunctionsHub' });
    try {
      await app.listen({ port: 0, host: address });
      const url = `http://${address}:${(app.server.address() as AddressInfo).port}`;
      assert.equal((await send(url, 'GET', `${BASE}/instances`)).status, 200);
      assert.equal((await send(url, 'GET', `${BASE}/instances`, { headers: { host: 'localhost' } })).status, 200);
      assert.equal((await send(url, 'GET', `${BASE}/instances`, { headers: { host: 'my-laptop.local' } })).status, 421);
    } finally {
      await app.close();
      await base.close();
    }
  });
});
