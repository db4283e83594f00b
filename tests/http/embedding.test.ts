/**
 * The HTTP API inside an app's own server (`taskhub/http`): the runnable examples for Express and fastify
 * (a route of the app's own answering with the check-status response, the management API beside it), the
 * plugin's encapsulation, the Node handler's hand-over of other paths, and the health probes of the
 * standalone server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import Fastify from 'fastify';
import { createTaskHub, silentLogger, type TaskHub } from '../../src/index.js';
import { createHttpServer, createRequestHandler, taskhubPlugin, taskhubServerOptions } from '../../src/http/index.js';
import { registry } from '../../examples/demo-app.js';
import { createTestStore, singleStoreUnderTest, type TestStore } from '../support/stores.js';
import { eventually } from '../support/polling.js';
import { nodeArgs } from '../cli/cli-harness.js';
import { BASE, HUB, send } from './http-harness.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}${extension}`, import.meta.url));

let store: TestStore;
before(async () => (store = await createTestStore(singleStoreUnderTest())));
after(() => store.destroy());

/** Runs an example as its docstring says, on a free port, until the test is done with it. */
async function runExample(name: string, use: (url: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [...nodeArgs, example(name)], {
    env: { ...process.env, PORT: '0', TASKHUB_STORAGE: store.storage, TASKHUB_HUB: '', TASKHUB_LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const url = await eventually(`${name} to print its URL (${stderr})`, async () => /^(http:\/\/\S+)\n/.exec(stdout)?.[1], 30_000);
    await use(url);
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  }
}

/** The app's own route, then the management URL it answered with, followed until the instance is done. */
async function startAndFollow(url: string): Promise<void> {
  const started = await send(url, 'POST', '/api/greetings', { json: { city: 'Lisbon' } });
  assert.equal(started.status, 202, started.text);
  const statusUri = started.body.statusQueryGetUri as string;
  assert.equal(started.headers.location, statusUri);
  assert.ok(statusUri.startsWith(`${url}${BASE}/instances/${started.body.id as string}?taskHub=${HUB}&connection=TASKHUB_STORAGE`), statusUri);
  const finished = await eventually('the instance to finish', async () => {
    const answer = await send(url, 'GET', statusUri.slice(url.length));
    return answer.status === 200 ? answer : undefined;
  });
  assert.equal(finished.body.output, 'Hello Lisbon!');
  const sample = await send(url, 'POST', '/orchestrators/HelloWorld/wait?timeout=20', { json: 'Porto' });
  assert.equal(sample.body, 'Hello Porto!');
}

describe('examples/express-app', () => {
  it("the app's route starts an instance; the management API answers beside it; other paths are Express's", async () => {
    await runExample('express-app', async (url) => {
      await startAndFollow(url);
      const other = await send(url, 'GET', '/not-taskhub');
      assert.equal(other.status, 404);
      assert.match(other.text, /Cannot GET \/not-taskhub/, "Express's own 404: the handler passed it on");
    });
  });
});

describe('examples/fastify-app', () => {
  it("the app's route starts an instance (its JSON parsed by the app's own parser); the management API answers beside it", async () => {
    await runExample('fastify-app', startAndFollow);
  });
});

describe('taskhubPlugin', () => {
  let taskHub: TaskHub;
  before(async () => (taskHub = await createTaskHub({ storage: store.storage, hub: HUB, registry, worker: false })));
  after(() => taskHub.close());

  it("keeps its API key, body rules and error answers to its own routes; the app's routes are untouched", async () => {
    const app = Fastify({ ...taskhubServerOptions });
    await app.register(taskhubPlugin, { backend: taskHub.backend, hub: HUB, registry, apiKey: 'k', logger: silentLogger, sampleStarters: false });
    app.post('/echo', async (request) => ({ got: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      assert.equal((await send(url, 'GET', `${BASE}/instances`)).status, 401);
      assert.equal((await send(url, 'GET', `${BASE}/instances`, { headers: { 'x-functions-key': 'k' } })).status, 200);
      const echoed = await send(url, 'POST', '/echo', { json: { a: 1 } });
      assert.deepEqual(echoed.body, { got: { a: 1 } }, 'no key needed, JSON parsed by the app');
      const text = await send(url, 'POST', '/echo', { raw: 'plain words', headers: { 'content-type': 'text/plain' } });
      assert.deepEqual(text.body, { got: 'plain words' }, "the app keeps fastify's text parser");
      const refused = await send(url, 'POST', `${BASE}/orchestrators/HelloWorld`, { raw: 'x', headers: { 'content-type': 'text/plain', 'x-functions-key': 'k' } });
      assert.equal(refused.status, 415);
      assert.equal((await send(url, 'POST', '/orchestrators/HelloWorld', { headers: { 'x-functions-key': 'k' } })).status, 404, 'sampleStarters: false');
    } finally {
      await app.close();
    }
  });

  it('refuses a prefix: clients follow management URLs under /runtime/webhooks/durabletask', async () => {
    const app = Fastify();
    await assert.rejects(
      async () => {
        await app.register(taskhubPlugin, { prefix: '/jobs', backend: taskHub.backend, hub: HUB, logger: silentLogger });
      },
      /register the taskhub plugin without a prefix \(got '\/jobs'\)/,
    );
  });
});

describe('createRequestHandler', () => {
  let taskHub: TaskHub;
  let server: Server | undefined;
  before(async () => (taskHub = await createTaskHub({ storage: store.storage, hub: HUB, registry, worker: false })));
  after(async () => {
    server?.close();
    await taskHub.close();
  });

  it('on a bare Node server answers every path itself (JSON 404s); after a body parser it says so', async () => {
    const handler = await createRequestHandler({ backend: taskHub.backend, hub: HUB, registry, logger: silentLogger });
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const missing = await send(url, 'GET', '/elsewhere');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /there is no route GET \/elsewhere/);
    assert.equal((await send(url, 'GET', `${BASE}/instances`)).status, 200);
    await handler.close();

    const parsedFirst = express();
    parsedFirst.use(express.json());
    parsedFirst.use(await createRequestHandler({ backend: taskHub.backend, hub: HUB, registry, logger: silentLogger }));
    const misplaced = parsedFirst.listen(0, '127.0.0.1');
    await new Promise((resolve) => misplaced.once('listening', resolve));
    try {
      const answer = await send(`http://127.0.0.1:${(misplaced.address() as AddressInfo).port}`, 'POST', '/orchestrators/HelloWorld', { json: { name: 'x' } });
      assert.equal(answer.status, 500);
      assert.match(answer.body.error, /mount it before body parsers such as express\.json\(\)/);
    } finally {
      misplaced.close();
    }
  });
});

describe('health probes of the standalone server', () => {
  it('/readyz is 503 once the store does not answer, /healthz still 200; the reason goes to the log', async () => {
    const own = await createTestStore(singleStoreUnderTest());
    const backend = await own.open();
    const warnings: string[] = [];
    const app = createHttpServer({ backend, hub: HUB, logger: { ...silentLogger, warn: (message) => warnings.push(message) } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      assert.equal((await send(url, 'GET', '/readyz')).status, 200);
      await backend.close();
      const unready = await send(url, 'GET', '/readyz');
      assert.equal(unready.status, 503);
      assert.deepEqual(unready.body, { status: 'unavailable', error: 'the store does not answer; the server log has the details' });
      assert.equal((await send(url, 'GET', '/healthz')).status, 200);
      assert.match(warnings.join('\n'), /^readiness probe: the store .* failed: /);
    } finally {
      await app.close();
      await own.destroy();
    }
  });
});
