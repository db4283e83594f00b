/**
 * Pages of other sites, in a real browser (Debian chromium through playwright-core): a page served by a
 * second server on another loopback port fires no-cors POSTs, a form POST and an <img> GET at taskhub, as
 * a page the developer visits could; the API shows that nothing changed and no store was created. A page reached through DNS
 * rebinding (a name the browser resolves to 127.0.0.1) is refused; the server's own page is not.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { BASE, countAll, startTestServer, waitingApproval, type TestServer } from './http-harness.js';

const REBINDING_NAME = 'rebinding.test';

/** A server of the attacking site: `/` is the page, which reports `/done` once every attempt has settled. */
interface AttackerSite {
  port: number;
  /** Resolves when the page served from `origin` has reported `/done`. */
  done(origin: string): Promise<void>;
  close(): Promise<void>;
}

function attackPage(target: string, attempts: { terminate: string; raiseEvent: string; suspend: string; start: string; read: string }): string {
  return `<!doctype html><body><script>
const target = ${JSON.stringify(target)};
const post = (path) => fetch(target + path, { method: 'POST', mode: 'no-cors' }).catch(() => undefined);
async function attack() {
  await post(${JSON.stringify(attempts.terminate)});
  await post(${JSON.stringify(attempts.raiseEvent)});
  await post(${JSON.stringify(attempts.start)});
  await new Promise((resolve) => { const image = new Image(); image.onload = image.onerror = resolve; image.src = target + ${JSON.stringify(attempts.read)}; });
  await new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.name = 'sink';
    document.body.append(frame);
    frame.onload = resolve;
    const form = document.createElement('form');
    form.method = 'POST';
    form.target = 'sink';
    form.action = target + ${JSON.stringify(attempts.suspend)};
    document.body.append(form);
    form.submit();
  });
  await fetch('/done', { method: 'POST' });
}
attack();
</script></body>`;
}

async function startAttackerSite(page: string): Promise<AttackerSite> {
  const waiting = new Map<string, () => void>();
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/done') {
      waiting.get(`http://${request.headers.host}`)?.();
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    done: (origin) => new Promise((resolve) => waiting.set(origin, resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let freshStoreFile: string;
  before(async () => {
    freshStoreFile = join(mkdtempSync(join(tmpdir(), 'taskhub-browser-')), 'never-created.db');
    server = await startTestServer({ env: { NEVER_CREATED: `sqlite:${freshStoreFile}` } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--host-resolver-rules=MAP ${REBINDING_NAME} 127.0.0.1`],
    });
  });
  after(async () => {
    await browser?.close();
    await server.close();
    rmSync(dirname(freshStoreFile), { recursive: true, force: true });
  });

  for (const [what, siteHost] of [
    ['another port of 127.0.0.1 (same-site)', '127.0.0.1'],
    ['localhost, another site than 127.0.0.1 (cross-site)', 'localhost'],
  ] as const) {
    test(`a page on ${what}: no-cors POSTs, a form POST and an <img> GET change nothing`, async () => {
      const terminateTarget = await waitingApproval(server.client);
      const eventTarget = await waitingApproval(server.client);
      const suspendTarget = await waitingApproval(server.client);
      const startedId = `browser-start-${siteHost}`;
      const before = await countAll(server.client);
      const site = await startAttackerSite(
        attackPage(server.url, {
          terminate: `${BASE}/instances/${terminateTarget}/terminate`,
          raiseEvent: `${BASE}/instances/${eventTarget}/raiseEvent/Approval`,
          suspend: `${BASE}/instances/${suspendTarget}/suspend`,
          start: `${BASE}/orchestrators/HelloWorld/${startedId}`,
          read: `${BASE}/instances?connection=NEVER_CREATED`,
        }),
      );
      const page = await browser.newPage();
      try {
        const origin = `http://${siteHost}:${site.port}`;
        const done = site.done(origin);
        await page.goto(`${origin}/`);
        await done;
      } finally {
        await page.close();
        await site.close();
      }
      for (const id of [terminateTarget, eventTarget, suspendTarget]) {
        const status = await server.client.getStatus(id);
        assert.equal(status?.runtimeStatus, 'Running', id);
        const history = await server.client.getHistory(id);
        assert.deepEqual(
          history.filter((event) => ['EventRaised', 'ExecutionTerminated', 'ExecutionSuspended'].includes(event.type)),
          [],
          id,
        );
      }
      assert.equal(await server.client.getStatus(startedId), undefined);
      assert.equal(await countAll(server.client), before);
      assert.equal(existsSync(freshStoreFile), false, 'the <img> GET created no store');
      for (const id of [terminateTarget, eventTarget, suspendTarget]) await server.client.terminate(id);
    });
  }

  test("a page reached through DNS rebinding is refused 421, even its same-origin requests; the server's own page works", async () => {
    const waiting = await waitingApproval(server.client);
    const port = new URL(server.url).port;
    const page = await browser.newPage();
    try {
      const rebound = await page.goto(`http://${REBINDING_NAME}:${port}${BASE}/instances`);
      assert.equal(rebound?.status(), 421);
      const status = await page.evaluate(async (path) => (await fetch(path, { method: 'POST' })).status, `${BASE}/instances/${waiting}/terminate`);
      assert.equal(status, 421);
      assert.equal((await server.client.getStatus(waiting))?.runtimeStatus, 'Running');

      const own = await page.goto(`${server.url}${BASE}/instances/${waiting}`);
      assert.equal(own?.status(), 202);
      const terminated = await page.evaluate(async (path) => (await fetch(path, { method: 'POST' })).status, `${BASE}/instances/${waiting}/terminate?reason=own%20page`);
      assert.equal(terminated, 202, "a fetch from the server's own page passes");
      await server.client.waitForCompletion(waiting, { retryIntervalInMilliseconds: 20 });
      assert.equal((await server.client.getStatus(waiting))?.output, 'own page');
    } finally {
      await page.close();
    }
  });
});
