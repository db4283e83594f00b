/**
 * End-to-end tests of the dashboard: a real server started as `taskhub serve` starts it (serve() with the
 * demo app, port 0, a fresh store), and headless Debian Chromium driven by playwright-core, one browser
 * per test file. Results are checked through the HTTP API, never through the page alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { silentLogger } from '../../src/index.js';
import { serve, type RunningServer } from '../../src/http/serve.js';
import { BASE, send, type HttpAnswer, type RequestOptions } from '../http/http-harness.js';
import { createTestStore, singleStoreUnderTest, type TestStore } from '../support/stores.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const DEMO_APP = fileURLToPath(new URL(`../../examples/demo-app${extension}`, import.meta.url));

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface DashboardServer {
  url: string;
  /** A request to the API (`path` under the management base), with the key when the server has one. */
  api(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export async function startDashboardServer(options: { apiKey?: string } = {}): Promise<DashboardServer> {
  const store: TestStore = await createTestStore(singleStoreUnderTest());
  let running: RunningServer;
  try {
    running = await serve({ appModule: DEMO_APP, port: 0, connectionString: store.storage, apiKey: options.apiKey, logger: silentLogger });
  } catch (error) {
    await store.destroy();
    throw error;
  }
  const keyHeader: Record<string, string> = options.apiKey ? { 'x-functions-key': options.apiKey } : {};
  return {
    url: running.url,
    api: (method, path, requestOptions = {}) => send(running.url, method, `${BASE}${path}`, { ...requestOptions, headers: { ...keyHeader, ...requestOptions.headers } }),
    async close() {
      await running.close();
      await store.destroy();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  /** Errors the pages threw; close() fails when there are any. */
  pageErrors: string[];
  /** A new tab (its own session storage) at `path` of the server, sized `width` × `height`. */
  open(server: DashboardServer, path?: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile directory, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'taskhub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const pageErrors: string[] = [];
  return {
    context,
    pageErrors,
    async open(server, path = '/', viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}${path}`);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      if (pageErrors.length > 0) throw new Error(`the dashboard threw: ${pageErrors.join('; ')}`);
    },
  };
}

export interface DashboardSuite {
  server: DashboardServer;
  browser: Browser;
}

/**
 * A test file's server and browser: started before its tests (then `seed` runs), closed after them. The
 * fields are set once the file's `before` hook has run.
 */
export function dashboardSuite(options: { apiKey?: string } = {}, seed?: (server: DashboardServer) => Promise<void>): DashboardSuite {
  const suite = {} as DashboardSuite;
  before(async () => {
    suite.server = await startDashboardServer(options);
    suite.browser = await launchBrowser();
    await seed?.(suite.server);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/** Retries `check` until it stops throwing (the page and the worker both take their time). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Starts an instance through the API and, unless told not to, waits until it is in one of `until`. */
export async function startInstance(server: DashboardServer, name: string, options: { id?: string; input?: unknown; until?: string[]; tags?: string[] } = {}): Promise<string> {
  const tags = (options.tags ?? []).map((tag) => `tag=${encodeURIComponent(tag)}`).join('&');
  const path = `/orchestrators/${name}${options.id ? `/${encodeURIComponent(options.id)}` : ''}${tags ? `?${tags}` : ''}`;
  const answer = await server.api('POST', path, options.input === undefined ? {} : { json: options.input });
  if (answer.status !== 202) throw new Error(`starting ${name} answered ${answer.status}: ${answer.text}`);
  const id = answer.body.id as string;
  const until = options.until ?? ['Completed', 'Failed', 'Terminated'];
  await eventually(async () => {
    const status = await statusOf(server, id);
    if (!until.includes(status)) throw new Error(`${id} is ${status}, not ${until.join(' or ')}`);
  }, 20_000);
  return id;
}

/** An Approval instance waiting for its event (with an hour-long timer). */
export async function waitingApproval(server: DashboardServer, id?: string): Promise<string> {
  const instanceId = await startInstance(server, 'Approval', { id, input: { timeoutSeconds: 3600 }, until: ['Running'] });
  await eventually(async () => {
    const answer = await server.api('GET', `/instances/${encodeURIComponent(instanceId)}`);
    if (answer.body.customStatus !== 'waiting-for-approval') throw new Error('not waiting yet');
  });
  return instanceId;
}

/** The instance's runtime status through the API, or 'missing'. */
export async function statusOf(server: DashboardServer, id: string): Promise<string> {
  const answer = await server.api('GET', `/instances/${encodeURIComponent(id)}`);
  return answer.status === 404 ? 'missing' : (answer.body.runtimeStatus as string);
}

/** Waits until the API reports the instance in `status`. */
export async function untilStatus(server: DashboardServer, id: string, status: string): Promise<void> {
  await eventually(async () => {
    const current = await statusOf(server, id);
    if (current !== status) throw new Error(`${id} is ${current}, not ${status}`);
  }, 20_000);
}

/** The ids in the instance table, in order. */
export async function listedIds(page: Page): Promise<string[]> {
  return page.locator('table.instances tbody td.instance-id').allTextContents();
}
