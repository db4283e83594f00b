/**
 * A real HTTP server for one test file: a fresh store (SQLite or PostgreSQL, see singleStoreUnderTest), a
 * temp dir for the test's files, the demo app's registry, a worker in this process, the fastify app listening on 127.0.0.1 port 0, and a client on the same store to set up
 * and check state. Requests go through node:http so paths reach the server byte for byte.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTaskHub, silentLogger, type TaskHub, type TaskHubClient } from '../../src/index.js';
import { createHttpServer, type HttpServerOptions } from '../../src/http/server.js';
import { registry } from '../../examples/demo-app.js';
import { createTestStore, singleStoreUnderTest, type TestStore } from '../support/stores.js';

export const BASE = '/runtime/webhooks/durabletask';
export const HUB = 'DurableFunctionsHub';

export interface TestServer {
  url: string;
  client: TaskHubClient;
  taskHub: TaskHub;
  store: TestStore;
  directory: string;
  connectionString: string;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string | string[]>;
  /** A value to send as JSON, or raw text/bytes with `raw`. */
  json?: unknown;
  raw?: string | Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when empty), loosely typed as JSON.parse's result. */
  body: ReturnType<typeof JSON.parse>;
}

export async function startTestServer(options: Partial<Omit<HttpServerOptions, 'backend' | 'hub' | 'registry'>> & { hub?: string } = {}): Promise<TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-http-'));
  const store = await createTestStore(singleStoreUnderTest());
  const connectionString = store.storage;
  const hub = options.hub ?? HUB;
  const taskHub = await createTaskHub({
    storage: connectionString,
    hub,
    registry,
    maxPayloadBytes: options.maxPayloadBytes,
    worker: { logger: silentLogger },
  });
  const app = createHttpServer({ logger: silentLogger, ...options, backend: taskHub.backend, hub, registry, connectionString });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    client: taskHub.client,
    taskHub,
    store,
    directory,
    connectionString,
    request: (method, path, requestOptions) => send(url, method, path, requestOptions),
    async close() {
      await app.close();
      await taskHub.close();
      await store.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** One request on a fresh connection; `path` is sent exactly as given (it may be an absolute URL). */
export function send(origin: string, method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const target = new URL(origin);
  const headers: Record<string, string | string[]> = { ...options.headers };
  let payload: string | Buffer | undefined = options.raw;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const requestPath = /^https?:\/\//.test(path) ? path.slice(new URL(path).origin.length) : path;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: target.hostname, port: target.port, method, path: requestPath, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Polls until the instance's status satisfies `done` (the worker runs in this process). */
export async function waitForStatus(client: TaskHubClient, instanceId: string, done: (status: string | undefined) => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.getStatus(instanceId, { showInput: false });
    if (done(status?.runtimeStatus)) return;
    if (Date.now() > deadline) throw new Error(`instance ${instanceId} is still ${status?.runtimeStatus ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts an instance through the client and waits for it to finish. */
export async function finishedInstance(client: TaskHubClient, name: string, input?: unknown, instanceId?: string): Promise<string> {
  const id = await client.startNew(name, { input, instanceId });
  await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 20 });
  return id;
}

/** An Approval instance parked on its event (customStatus set), with a timer far in the future. */
export async function waitingApproval(client: TaskHubClient, instanceId?: string): Promise<string> {
  const id = await client.startNew('Approval', { input: { timeoutSeconds: 3600 }, instanceId });
  const deadline = Date.now() + 20_000;
  while ((await client.getStatus(id))?.customStatus !== 'waiting-for-approval') {
    if (Date.now() > deadline) throw new Error(`Approval instance ${id} did not start waiting`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return id;
}

/** The error body every rejection carries: one actionable message, never a stack trace. */
export function assertErrorBody(answer: HttpAnswer): string {
  if (typeof answer.body?.error !== 'string' || answer.body.error === '') {
    throw new Error(`expected a JSON { error } body, got ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  if (/\n\s+at /.test(answer.text) || answer.text.includes('node_modules')) throw new Error(`a stack trace leaked: ${answer.text}`);
  return answer.body.error as string;
}

/** How many instances the hub holds, whatever their status. */
export async function countAll(client: TaskHubClient): Promise<number> {
  const counts = await client.countInstances();
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
