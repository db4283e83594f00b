/**
 * The dashboard with 100,000 instances in the store (docs/dashboard.md): seeds them through the backend in
 * batches (creation times spread over the past 7 days on SQLite, whose clock can be set; PostgreSQL's own
 * clock puts them in the seeding minutes), settles most into finished statuses, serves the store with the
 * demo app as `taskhub serve` does, and measures in headless Chromium the list page's first paint and the
 * time until its rows, counts and chart are shown; then the API routes the page reads, and the size of the
 * built JavaScript. Not a test; prints a table.
 *   npm run build && node dist/bench/dashboard-load.js [--store sqlite|postgres] [--instances 100000] [--runs 5]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import type { Backend, OrchestrationCommit } from '../src/backend/backend.js';
import { PostgresBackend } from '../src/backend/postgres/index.js';
import { SqliteBackend } from '../src/backend/sqlite/index.js';
import type { RuntimeStatus } from '../src/core/history.js';
import { serve } from '../src/http/serve.js';
import { silentLogger } from '../src/index.js';
import { launchBrowser } from '../tests/dashboard/browser-harness.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
  },
});
const INSTANCES = Number(args.instances);
const RUNS = Number(args.runs);
const HUB = 'DurableFunctionsHub';
const BATCH = 1000;
const WEEK_MS = 7 * 24 * 3600 * 1000;
const NAMES = ['E1_HelloSequence', 'HelloWorld', 'FanOutFanIn', 'Approval', 'ParentOfChildren'];
/** Of every 100 instances: how many end in each status (the rest stay Pending, scheduled far ahead). */
const MIX: [RuntimeStatus, number][] = [['Completed', 80], ['Failed', 8], ['Terminated', 4], ['Running', 5], ['Suspended', 2]];
const PG_URL = process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function statusOf(index: number): RuntimeStatus | undefined {
  let slot = index % 100;
  for (const [status, share] of MIX) {
    if (slot < share) return status;
    slot -= share;
  }
  return undefined;
}

async function seed(backend: Backend): Promise<void> {
  const farAhead = Date.now() + 365 * 24 * 3600 * 1000;
  for (let first = 0; first < INSTANCES; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, INSTANCES - first) }, (_, offset) => first + offset);
    await Promise.all(batch.map((index) => {
      const executionId = randomUUID().replaceAll('-', '');
      const name = NAMES[index % NAMES.length]!;
      const instanceId = randomBytes(16).toString('hex');
      const pending = statusOf(index) === undefined;
      return backend.createInstance(HUB, {
        instanceId,
        executionId,
        name,
        input: JSON.stringify({ order: index }),
        ...(pending && { scheduledStartAt: farAhead }),
        startEvent: { type: 'ExecutionStarted', eventId: -1, timestamp: new Date().toISOString(), name, executionId, input: JSON.stringify({ order: index }), ...(pending && { scheduledStartTime: new Date(farAhead).toISOString() }) },
      });
    }));
    // Settle the batch: one claim round, one commit per instance into its status.
    let index = first;
    for (;;) {
      const items = await backend.claimOrchestrations(HUB, { workerId: 'seed', max: BATCH, leaseMs: 60_000 });
      if (items.length === 0) break;
      await Promise.all(items.map((item) => {
        const status = statusOf(index++) ?? 'Completed';
        const finished = status === 'Completed' || status === 'Failed' || status === 'Terminated';
        const commit: OrchestrationCommit = {
          instance: { status, output: status === 'Completed' ? '"done"' : status === 'Failed' ? '{"errorType":"Error","errorMessage":"seeded failure"}' : undefined, customStatus: status === 'Running' ? '"working"' : undefined },
          ops: [
            { op: 'deleteMessages', ids: item.messages.map((message) => message.id) },
            ...(finished ? [{ op: 'deleteAllMessages' } as const, { op: 'dropUnleasedTasks' } as const] : []),
          ],
        };
        return backend.commitOrchestration(HUB, item, commit);
      }));
    }
    if ((first / BATCH) % 10 === 9) console.error(`seeded ${first + batch.length}`);
  }
}

/**
 * Runs in the page before its own scripts: notes the time (since the navigation started) at which the
 * first row, the chart and the counts appear, as the DOM changes — polling from outside would add its
 * own interval to every figure.
 */
const MARK_SCRIPT = `(() => {
  const marks = {};
  window.__marks = marks;
  const check = () => {
    const now = performance.now();
    if (!marks.rows && document.querySelector('table.instances tbody tr')) marks.rows = now;
    if (!marks.chart && document.querySelector('.histogram')) marks.chart = now;
    const chip = document.querySelector('.chip-count');
    if (!marks.counts && chip && !chip.textContent.includes('…')) marks.counts = now;
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeRequest(url: string): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < 10; run++) {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    times.push(performance.now() - start);
  }
  return median(times);
}

function builtJavaScript(): { raw: number; gzipped: number } {
  const assets = fileURLToPath(new URL('../dashboard/assets/', import.meta.url));
  const files = readdirSync(assets).filter((file) => file.endsWith('.js'));
  const contents = files.map((file) => readFileSync(join(assets, file)));
  return { raw: contents.reduce((sum, content) => sum + content.length, 0), gzipped: contents.reduce((sum, content) => sum + gzipSync(content, { level: 9 }).length, 0) };
}

const directory = mkdtempSync(join(tmpdir(), 'taskhub-dashboard-bench-'));
const schema = `taskhub_bench_${randomBytes(4).toString('hex')}`;
let connectionString: string;
let seeding: Backend;
if (args.store === 'postgres') {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  connectionString = url.toString();
  seeding = new PostgresBackend({ connectionString: PG_URL, schema });
} else {
  connectionString = `sqlite:${join(directory, 'bench.db')}`;
  // The store's clock, injectable on SQLite: creation times spread evenly over the past week.
  let time = Date.now() - WEEK_MS;
  const step = WEEK_MS / (INSTANCES * 1.05);
  seeding = new SqliteBackend({ path: join(directory, 'bench.db'), clock: () => Math.min((time += step), Date.now()) });
}
try {
  await seeding.migrate();
  const seedStart = performance.now();
  await seed(seeding);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  await seeding.close();
  const demoApp = fileURLToPath(new URL('../examples/demo-app.js', import.meta.url));
  const server = await serve({ appModule: demoApp, port: 0, connectionString, logger: silentLogger });
  const browser = await launchBrowser();
  try {
    const views = { 'list, no filter': '/', 'list, Failed in the last 24 h': '/?status=Failed&range=24h', 'list, one orchestrator': '/?name=Approval' };
    const rows: string[] = [];
    for (const [label, path] of Object.entries(views)) {
      const paints: number[] = [];
      const answered: number[] = [];
      const listed: number[] = [];
      const complete: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const page = await browser.context.newPage();
        await page.addInitScript(MARK_SCRIPT);
        await page.goto(`${server.url}${path}`);
        // Polled with evaluate: the page's CSP refuses the string functions waitForFunction would build.
        let marks: { rows?: number; chart?: number; counts?: number } = {};
        for (const deadline = Date.now() + 30_000; !(marks.rows && marks.chart && marks.counts); await new Promise((resolve) => setTimeout(resolve, 50))) {
          if (Date.now() > deadline) throw new Error(`${path} did not finish loading: ${JSON.stringify(marks)}`);
          marks = await page.evaluate<typeof marks>('window.__marks');
        }
        listed.push(marks.rows);
        complete.push(Math.max(marks.rows, marks.chart ?? 0, marks.counts ?? 0));
        paints.push(await page.evaluate<number>("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN"));
        answered.push(await page.evaluate<number>("performance.getEntriesByType('resource').find((entry) => entry.name.includes('/instances?'))?.responseEnd ?? NaN"));
        await page.close();
      }
      rows.push(`| ${label} | ${median(paints).toFixed(0)} ms | ${median(answered).toFixed(0)} ms | ${median(listed).toFixed(0)} ms | ${median(complete).toFixed(0)} ms |`);
    }
    const base = `${server.url}/runtime/webhooks/durabletask`;
    const api = {
      'GET …/instances?top=50': `${base}/instances?top=50`,
      'GET …/counts': `${base}/counts`,
      'GET …/histogram (7 days, 60 bars)': `${base}/histogram?maxIntervals=60`,
      'GET …/counts?runtimeStatus=Failed&createdTimeFrom=…24 h': `${base}/counts?runtimeStatus=Failed&createdTimeFrom=${new Date(Date.now() - 86_400_000).toISOString()}`,
      'GET …/counts?name=Approval': `${base}/counts?name=Approval`,
      'GET …/histogram?name=Approval': `${base}/histogram?name=Approval&maxIntervals=60`,
      'GET …/taskhubs': `${base}/taskhubs`,
    };
    const apiRows: string[] = [];
    for (const [label, url] of Object.entries(api)) apiRows.push(`| ${label} | ${(await timeRequest(url)).toFixed(1)} ms |`);
    const size = builtJavaScript();
    console.log(`\n${INSTANCES.toLocaleString('en')} instances on ${args.store} (seeded in ${seedSeconds.toFixed(0)} s); medians of ${RUNS} page loads, 10 requests\n`);
    console.log('| view | first contentful paint | list answer received | rows shown | rows, counts and chart shown |\n|---|---|---|---|---|');
    console.log(rows.join('\n'));
    console.log('\n| route | median |\n|---|---|');
    console.log(apiRows.join('\n'));
    console.log(`\nbuilt JavaScript: ${(size.raw / 1024).toFixed(1)} KiB, ${(size.gzipped / 1024).toFixed(1)} KiB gzipped`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
  if (args.store === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
