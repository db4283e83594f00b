/**
 * serve(): loads the app module, runs the worker and the HTTP server in one process, refuses to listen
 * beyond loopback without a key, and shuts down in order without losing work.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createTaskHub, silentLogger, type Logger } from '../../src/index.js';
import { serve } from '../../src/http/serve.js';
import { BASE, send } from './http-harness.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const demoApp = fileURLToPath(new URL(`../../examples/demo-app${extension}`, import.meta.url));

let directory: string;
let storage: string;
before(() => {
  directory = mkdtempSync(join(tmpdir(), 'taskhub-serve-'));
  storage = `sqlite:${join(directory, 'taskhub.db')}`;
});
after(() => {
  rmSync(directory, { recursive: true, force: true });
});

const options = () => ({ appModule: demoApp, port: 0, connectionString: storage, logger: silentLogger });

describe('serve()', () => {
  test("serves the demo app: the seed's command answers 200 with the greetings", async () => {
    const lines: string[] = [];
    const logger: Logger = { info: (message) => lines.push(message), warn: () => {}, error: () => {} };
    const server = await serve({ ...options(), appModule: relative(process.cwd(), demoApp), logger });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const answer = await send(server.url, 'POST', '/orchestrators/E1_HelloSequence/wait?timeout=2&retryInterval=0.5');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.ok(lines.some((line) => line.includes(server.url) && line.includes("'DurableFunctionsHub'")), lines.join('\n'));
    } finally {
      await server.close();
      await server.close();
    }
  });

  test('takes the hub from options, and a module whose default export is the registry', async () => {
    const module = join(directory, 'default-export.mjs');
    writeFileSync(module, `export { registry as default } from ${JSON.stringify(pathToFileURL(demoApp).href)};\n`);
    const server = await serve({ ...options(), appModule: module, hub: 'ServeHub' });
    try {
      const answer = await send(server.url, 'POST', `${BASE}/orchestrators/HelloWorld?timeout=20`, { json: 'hub' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'Hello hub!');
      const started = await send(server.url, 'POST', `${BASE}/orchestrators/HelloWorld`);
      assert.match(started.body.statusQueryGetUri, /taskHub=ServeHub/);
    } finally {
      await server.close();
    }
  });

  test('refuses a module without a registry, and one that cannot be loaded', async () => {
    const empty = join(directory, 'no-registry.mjs');
    writeFileSync(empty, 'export const something = 1;\n');
    await assert.rejects(serve({ ...options(), appModule: empty }), /exports no Registry: export one as `registry` or as the default export/);
    await assert.rejects(serve({ ...options(), appModule: join(directory, 'missing.mjs') }), /cannot load the app module/);
  });

  test('refuses a non-loopback host without an API key, before opening anything; allows it with insecure or a key', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'taskhub-serve-host-'));
    try {
      const store = `sqlite:${join(fresh, 'taskhub.db')}`;
      await assert.rejects(serve({ ...options(), connectionString: store, host: '0.0.0.0' }), /refusing to listen on 0\.0\.0\.0 without an API key/);
      // An empty key is not taken for "no key", on loopback or beyond.
      for (const host of ['0.0.0.0', '127.0.0.1']) {
        await assert.rejects(serve({ ...options(), connectionString: store, host, apiKey: ' ' }), /the API key is empty: give a key, or leave it out/);
      }
      assert.deepEqual(readdirSync(fresh), [], 'nothing was opened');
      for (const extra of [{ insecure: true }, { apiKey: 'a-key' }]) {
        const server = await serve({ ...options(), connectionString: store, host: '0.0.0.0', ...extra });
        await server.close();
      }
      const local = await serve({ ...options(), connectionString: store, host: 'localhost' });
      assert.match(local.url, /^http:\/\/localhost:\d+$/);
      await local.close();
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('a port in use is a clear error, and the store is closed again', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(serve({ ...options(), port }), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('close() answers long polls at once with 202 instead of holding shutdown', { timeout: 60_000 }, async () => {
    const server = await serve(options());
    const polling = send(server.url, 'POST', '/orchestrators/Sleep/wait?timeout=600', { json: 3600 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.close();
    const answer = await polling;
    assert.equal(answer.status, 202);
    assert.ok(answer.body.statusQueryGetUri);
  });

  test('close() loses no work: instances in flight finish after a restart', async () => {
    const server = await serve(options());
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await send(server.url, 'POST', `${BASE}/orchestrators/FanOutFanIn`, { json: 20 })).body.id as string);
    await server.close();

    const again = await serve(options());
    const check = await createTaskHub({ storage, hub: 'DurableFunctionsHub' });
    try {
      for (const id of ids) {
        const status = await check.client.waitForCompletion(id, { timeoutInMilliseconds: 30_000, retryIntervalInMilliseconds: 20 });
        assert.equal(status.runtimeStatus, 'Completed');
        assert.equal(status.output, 2870);
      }
    } finally {
      await check.close();
      await again.close();
    }
  });
});
