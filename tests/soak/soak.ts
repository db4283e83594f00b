/**
 * docs/reliability.md, T11, the soak: a mix of instances (sequences of activities, fan-out/fan-in of 100, durable
 * timers, approvals and counters driven by external events) started at a steady rate over a duration, run
 * by worker processes sharing one PostgreSQL database. It passes when every instance completed with its
 * expected output, none is stuck (each one's status agrees with its history, which keeps the invariant),
 * no instance was held by two workers at once or finished twice, each worker's memory stayed bounded, and
 * purging everything leaves no row of the hub in any table. It prints (and with --report writes) the
 * start-to-complete latency per kind (p50, p99) and each worker's memory.
 *
 *   npm run test:soak                                   # the full soak: 10,000 instances over an hour
 *   node dist/tests/soak/soak.js --instances 600 --duration 60    # the bounded form .ci/run runs
 * Options: --instances N, --duration SECONDS (the starts are spread over it), --workers N (4),
 * --fan-width N (100), --max-rss-mb N (768), --report FILE (JSON).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { TaskHubClient } from '../../src/index.js';
import { createTestStore, randomHub } from '../support/stores.js';
import { spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { assertNoOverlap, readAudit } from '../support/audit.js';
import { assertFinishedAtMostOnce, assertOutcomes, forEachConcurrently, listAll, planMix, waitUntilAllFinished, type PlannedInstance } from '../support/mixed-workload.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '3600' },
    workers: { type: 'string', default: '4' },
    'fan-width': { type: 'string', default: '100' },
    'max-rss-mb': { type: 'string', default: '768' },
    report: { type: 'string' },
  },
});
const instances = wholeNumber('instances', args.instances, 10);
const durationS = wholeNumber('duration', args.duration, 0);
const workerCount = wholeNumber('workers', args.workers, 1);
const fanWidth = wholeNumber('fan-width', args['fan-width'], 1);
const maxRssMb = wholeNumber('max-rss-mb', args['max-rss-mb'], 1);
/** After the last start, how long the rest may take: the longest timer, plus a margin for a loaded machine. */
const longestSleepS = Math.min(60, Math.max(5, Math.round(durationS / 10)));
const DRAIN_MARGIN_MS = 10 * 60_000;
/** Each worker's pool (plus its LISTEN connection): four workers stay far below max_connections. */
const WORKER_POOL_SIZE = 4;
/** Memory growth is judged only on runs long enough for the warm-up not to dominate. */
const GROWTH_CHECK_MIN_S = 600;
const MAX_GROWTH = 1.5;

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}, not '${text}'`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const kindOf = (instance: PlannedInstance) => instance.id.replace(/^soak-/, '').replace(/-\d+$/, '');

async function main(): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'taskhub-soak-'));
  const store = await createTestStore('postgres');
  const backend = await store.open();
  const hub = randomHub();
  const client = new TaskHubClient({ backend, hub });
  const plan = planMix(
    {
      chains: Math.round(instances * 0.4),
      fans: Math.round(instances * 0.1),
      sleeps: Math.round(instances * 0.2),
      approvals: Math.round(instances * 0.2),
      counters: instances - Math.round(instances * 0.4) - Math.round(instances * 0.1) - 2 * Math.round(instances * 0.2),
      chainSteps: 3,
      fanWidth,
      activityDelayMs: 10,
      sleepSeconds: [1, longestSleepS],
    },
    'soak-',
  );
  const pooled = new URL(store.connectionString);
  pooled.searchParams.set('pool_size', String(WORKER_POOL_SIZE));
  const files = Array.from({ length: workerCount }, (_, i) => ({ audit: join(scratch, `worker-${i}.jsonl`), memory: join(scratch, `worker-${i}.memory`) }));
  const workers: WorkerProcess[] = files.map((file, i) =>
    spawnWorker({ ...store, connectionString: pooled.toString() }, hub, {
      TASKHUB_TEST_LEASE_MS: '30000',
      TASKHUB_TEST_WORKER_ID: `soak-${i}`,
      TASKHUB_TEST_AUDIT: file.audit,
      TASKHUB_TEST_MEMORY: file.memory,
    }),
  );
  let failure: unknown;
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    console.log(`soak: ${plan.length} instances over ${durationS} s on ${workerCount} worker processes (fan-out ${fanWidth}, timers up to ${longestSleepS} s), hub ${hub}`);
    const began = Date.now();
    const spacingMs = (durationS * 1000) / plan.length;
    let next = 0;
    await forEachConcurrently(plan, 32, async (instance) => {
      const index = next++;
      const due = began + index * spacingMs;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      await client.startNew(instance.name, { instanceId: instance.id, input: instance.input });
      for (const event of instance.events) await client.raiseEvent(instance.id, event.name, event.data);
      if (index > 0 && index % Math.max(1, Math.round(plan.length / 10)) === 0) console.log(`soak: ${index} started after ${Math.round((Date.now() - began) / 1000)} s`);
    });
    const counts = await waitUntilAllFinished(client, plan.length, durationS * 1000 + longestSleepS * 1000 + DRAIN_MARGIN_MS);
    const drainedS = (Date.now() - began) / 1000;
    console.log(`soak: all finished ${drainedS.toFixed(0)} s after the first start: ${JSON.stringify(counts)}`);
    await Promise.all(workers.map(stopGracefully));

    const records = files.flatMap((file) => readAudit(file.audit));
    assertNoOverlap(records);
    assertFinishedAtMostOnce(records);
    const { historiesChecked } = await assertOutcomes(client, backend, plan, { historySample: plan.length });

    const statuses = await listAll(client);
    const latencies = new Map<string, number[]>();
    for (const instance of plan) {
      const status = statuses.get(instance.id)!;
      const ms = Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime);
      for (const key of [kindOf(instance), 'all']) latencies.set(key, [...(latencies.get(key) ?? []), ms]);
    }
    const latency = Object.fromEntries([...latencies].map(([kind, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return [kind, { count: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) }];
    }));

    const memory = files.map((file, i) => memoryOf(i, file.memory));
    for (const worker of memory) {
      assert.ok(worker.peakRssMb <= maxRssMb, `worker ${worker.worker}: peak RSS ${worker.peakRssMb} MB, over the bound of ${maxRssMb} MB`);
      if (durationS >= GROWTH_CHECK_MIN_S) {
        assert.ok(worker.lateRssMb <= worker.earlyRssMb * MAX_GROWTH, `worker ${worker.worker}: RSS grew from ${worker.earlyRssMb} MB to ${worker.lateRssMb} MB`);
      }
    }

    const purged = await client.purgeInstanceHistoryBy({ runtimeStatus: ['Completed'] });
    assert.equal(purged.instancesDeleted, plan.length, 'purge removed every instance');
    const rowsLeft = await rowsOfHub(store.connectionString, store.schema!, hub);
    assert.deepEqual(Object.entries(rowsLeft).filter(([, count]) => count > 0), [], 'no row of the hub is left in any table after the purge');

    const report = { instances: plan.length, durationS, workers: workerCount, fanWidth, drainedS, stepsCommitted: records.length, historiesChecked, latency, memory, rowsAfterPurge: rowsLeft };
    console.log('soak: start-to-complete latency per kind (store clock):');
    for (const [kind, figures] of Object.entries(latency)) console.log(`  ${kind.padEnd(9)} n=${figures.count} p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms`);
    for (const worker of memory) console.log(`soak: worker ${worker.worker} RSS peak ${worker.peakRssMb} MB (${worker.earlyRssMb} MB early, ${worker.lateRssMb} MB late), heap peak ${worker.peakHeapMb} MB`);
    console.log(`soak: ${records.length} steps committed; ${historiesChecked} histories checked; purge left ${Object.values(rowsLeft).reduce((a, b) => a + b, 0)} rows. PASS`);
    if (args.report) writeFileSync(args.report, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    failure = error;
  } finally {
    await Promise.all(workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null).map(stopGracefully));
    await backend.close();
    await store.destroy();
    rmSync(scratch, { recursive: true, force: true });
  }
  if (failure !== undefined) {
    console.error('soak: FAIL:', failure instanceof Error ? failure.message : failure);
    return 1;
  }
  return 0;
}

interface WorkerMemory {
  worker: number;
  samples: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** Mean RSS over the second quarter of the run (after warm-up) and over the last quarter. */
  earlyRssMb: number;
  lateRssMb: number;
}

function memoryOf(worker: number, file: string): WorkerMemory {
  const samples = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ').map(Number) as [number, number, number]);
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  const mean = (part: [number, number, number][]) => (part.length === 0 ? 0 : part.reduce((sum, sample) => sum + sample[1], 0) / part.length);
  const quarter = Math.floor(samples.length / 4);
  return {
    worker,
    samples: samples.length,
    peakRssMb: mb(Math.max(...samples.map((sample) => sample[1]))),
    peakHeapMb: mb(Math.max(...samples.map((sample) => sample[2]))),
    earlyRssMb: mb(mean(samples.slice(quarter, 2 * quarter))),
    lateRssMb: mb(mean(samples.slice(3 * quarter))),
  };
}

/** Rows of the hub in every table of the store's schema that has a `hub` column. */
async function rowsOfHub(connectionString: string, schema: string, hub: string): Promise<Record<string, number>> {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    const tables = await admin.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'hub' ORDER BY table_name`,
      [schema],
    );
    assert.ok(tables.rows.length > 0, `the schema ${schema} has tables with a hub column`);
    const counts: Record<string, number> = {};
    for (const { table_name: table } of tables.rows) {
      const result = await admin.query<{ count: string }>(`SELECT count(*)::text AS count FROM "${schema}"."${table}" WHERE hub = $1`, [hub]);
      counts[table] = Number(result.rows[0]!.count);
    }
    return counts;
  } finally {
    await admin.end();
  }
}

process.exitCode = await main();
