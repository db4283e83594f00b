/**
 * Batch jobs and retention at scale (docs/benchmarks.md, "Batch jobs and retention at scale"), on one store:
 *   background: `--background` finished instances (Failed and Terminated, each with a `tenant` tag), seeded
 *     first, fast (bench/seed-finished.ts), then a page of 100 by tag timed, oldest and newest first
 *     (alone on a store seeded before: `--part list`);
 *   terminate: seed N running instances (started, waiting on an external event), then a batch terminate of
 *     all of them, timed, with the latency of a stream of hello sequences during it against idle;
 *   retention: a backlog of finished instances plus a stream of short orchestrations finishing, while
 *     retention with a keep period of seconds purges; purged/s against finished/s, and the backlog over time.
 *   node dist/bench/batch-scale.js [--store sqlite|postgres] [--part terminate|retention|both|list] [--instances 100000]
 *     [--chunk-size 1000] [--rate 2000] [--backlog 60000] [--finish-rate 1000] [--seconds 60]
 *     [--background 900000] [--lanes 2] [--keep] [--storage <connection string>]
 * Everything is seeded and run through the public client and the store contract. `--keep` leaves the store
 * in place and prints its connection string (to look at plans, or to run a part again on it with
 * `--storage`, which reuses a store and leaves it in place); drop it afterwards.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Registry, Worker, createTaskHub, defineOrchestrator, silentLogger, type Backend, type OrchestrationContext, type TaskHubClient } from '../src/index.js';
import { openBenchStore } from './store.js';
import { benchRegistry, CITIES } from './workloads.js';
import { seedFinishedInstances, TENANTS } from './seed-finished.js';
import { seedStepped } from './seed-steps.js';
import { vacuumAnalyze } from './postgres-vacuum.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    part: { type: 'string', default: 'both' },
    instances: { type: 'string', default: '100000' },
    'chunk-size': { type: 'string' },
    rate: { type: 'string' },
    backlog: { type: 'string', default: '60000' },
    'finish-rate': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    background: { type: 'string', default: '0' },
    lanes: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    storage: { type: 'string' },
  },
});
const HUB = 'bench';

const waiter = defineOrchestrator('BenchWaiter', function* (context: OrchestrationContext) {
  return yield* context.waitForExternalEvent<unknown>('Go');
});
// The shortest orchestration there is: it finishes in its first step.
// eslint-disable-next-line require-yield
const quick = defineOrchestrator('BenchQuick', function* () {
  return 1;
});

function registry(): Registry {
  const result = new Registry().add(waiter, quick);
  for (const name of benchRegistry.orchestratorNames()) result.orchestrator(name, benchRegistry.getOrchestrator(name)!);
  for (const name of benchRegistry.activityNames()) result.activity(name, benchRegistry.getActivity(name)!);
  return result;
}

type Row = [string, string];

/** The results, each printed as it comes: a long run shows its progress, and a failed one what it got to. */
class Rows {
  push(...rows: Row[]): void {
    for (const [name, value] of rows) console.log(`${name.padEnd(64)}  ${value}`);
  }
}

async function main(): Promise<void> {
  const fresh = openBenchStore(args.store);
  const storage = args.storage ?? fresh.storage;
  const keep = args.keep || args.storage !== undefined;
  const taskHub = await createTaskHub({ storage, hub: HUB, registry: registry(), worker: false });
  const rows = new Rows();
  rows.push(['store', fresh.label]);
  try {
    const background = Number(args.background);
    if (background > 0) await seedBackground(taskHub.client, taskHub.backend, storage, background, rows);
    if (args.part === 'list') await tagList(taskHub.client, rows);
    if (args.part === 'terminate' || args.part === 'both') await batchTerminate(taskHub.client, taskHub.backend, rows);
    if (args.part === 'retention' || args.part === 'both') await retentionKeepsUp(taskHub.client, taskHub.backend, rows);
  } finally {
    await taskHub.close();
    if (keep) console.log(`store left in place: ${storage}`);
    else await fresh.cleanup();
  }
}

/** The finished population the other parts run beside, then the tag list timed on it. */
async function seedBackground(client: TaskHubClient, backend: Backend, storage: string, total: number, rows: Rows): Promise<void> {
  const started = performance.now();
  // Failed and Terminated: retention here keeps those (it purges Completed only), so they stay beside it.
  await seedFinishedInstances(backend, { hub: HUB, prefix: 'bg', name: 'BenchSeeded', statuses: ['Failed', 'Terminated'], lanes: Number(args.lanes) }, 0, total);
  rows.push([`seeded ${total} finished instances (Failed, Terminated), the background`, `${seconds(started)} s`], ['load average after seeding them', loadAverage()]);
  if (args.store === 'postgres') {
    const vacuumStarted = performance.now();
    await vacuumAnalyze(storage);
    rows.push(['VACUUM (ANALYZE) after seeding them', `${seconds(vacuumStarted)} s`]);
  }
  await tagList(client, rows);
}

/**
 * A page of 100 by tag, oldest and newest first, p50 of 21: one tenant 21 times (its rows in the cache
 * after the first), and 21 tenants once each (other tenants each way, so neither order finds the other's
 * rows in the cache).
 */
async function tagList(client: TaskHubClient, rows: Rows): Promise<void> {
  for (const orderBy of ['oldest', 'newest'] as const) {
    for (const spread of [false, true]) {
      const samples: number[] = [];
      for (let i = 0; i < 21; i++) {
        const tenant = spread ? (i * 37 + (orderBy === 'newest' ? TENANTS / 2 : 0)) % TENANTS : orderBy === 'newest' ? 421 : 422;
        const listStarted = performance.now();
        await client.listInstances({ tags: { tenant: `t-${tenant}` }, pageSize: 100, orderBy });
        samples.push(performance.now() - listStarted);
      }
      rows.push([`list 100 by tag, ${orderBy} first, ${spread ? '21 tenants' : 'one tenant 21 times'}`, `${percentile(samples, 0.5).toFixed(1)} ms (p50 of 21), load ${loadAverage()}`]);
    }
  }
}

async function batchTerminate(client: TaskHubClient, backend: Backend, rows: Rows): Promise<void> {
  const total = Number(args.instances);
  // A reused store (--storage) keeps the retention part's policy; its runs would share the write lock here.
  await client.setRetention({});
  let started = performance.now();
  await seedStepped(backend, HUB, total, 'BenchWaiter', 'run', 'Running');
  rows.push([`seeded ${total} running instances`, `${seconds(started)} s`], ['load average after seeding', loadAverage()]);

  const worker = new Worker({ backend, hub: HUB, registry: registry(), logger: silentLogger });
  worker.start();
  try {
    const idleStarted = performance.now();
    const idle = await helloLatencies(client, () => performance.now() - idleStarted > 20_000);
    rows.push(['hello sequence while idle (p50 / p95 / max)', summary(idle)]);

    started = performance.now();
    const job = await client.startBatch({
      operation: 'terminate',
      filter: { name: 'BenchWaiter', runtimeStatus: ['Running'] },
      ...(args['chunk-size'] ? { chunkSize: Number(args['chunk-size']) } : {}),
      ...(args.rate ? { ratePerSecond: Number(args.rate) } : {}),
    });
    let jobSeconds = 0;
    let allTerminatedSeconds = 0;
    const progress = (async () => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (jobSeconds === 0 && (await client.getBatch(job.id)).state === 'completed') jobSeconds = Number(seconds(started));
        const running = (await client.countInstances({ name: 'BenchWaiter', runtimeStatus: ['Running'] })).Running ?? 0;
        if (jobSeconds > 0 && running === 0) {
          allTerminatedSeconds = Number(seconds(started));
          return;
        }
      }
    })();
    let finished = false;
    void progress.then(() => (finished = true));
    const during = await helloLatencies(client, () => finished);
    await progress;
    const final = await client.getBatch(job.id);
    rows.push(
      [`batch terminate: job settings`, `chunk ${(await jobInput(client, job.id)).chunkSize}, ${(await jobInput(client, job.id)).ratePerSecond}/s`],
      [`batch terminate of ${final.matched}: job completed`, `${jobSeconds} s (done ${final.done}, failed ${final.failed})`],
      [`batch terminate of ${final.matched}: every instance Terminated`, `${allTerminatedSeconds} s (${(final.matched / allTerminatedSeconds).toFixed(0)}/s)`],
      ['hello sequence during the batch (p50 / p95 / max)', summary(during)],
      ['p50 during / p50 idle', `${(percentile(during, 0.5) / percentile(idle, 0.5)).toFixed(2)}x`],
      ['p95 during / p95 idle', `${(percentile(during, 0.95) / percentile(idle, 0.95)).toFixed(2)}x`],
      ['load average after the batch', loadAverage()],
    );
  } finally {
    await worker.stop();
  }
}

async function jobInput(client: TaskHubClient, id: string): Promise<{ chunkSize: number; ratePerSecond: number }> {
  return (await client.getStatus(id, { showInput: true }))!.input as { chunkSize: number; ratePerSecond: number };
}

/** Hello sequences one after another until `done()`; the time of each from start to completion, in ms. */
async function helloLatencies(client: TaskHubClient, done: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (!done() || latencies.length < 5) {
    const started = performance.now();
    const id = await client.startNew('BenchHelloSequence', { input: CITIES });
    await client.waitForCompletion(id, { timeoutInMilliseconds: 300_000, retryIntervalInMilliseconds: 10 });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function retentionKeepsUp(client: TaskHubClient, backend: Backend, rows: Rows): Promise<void> {
  const backlog = Number(args.backlog);
  const keepSeconds = 10;
  // BenchQuick instances a reused store (--storage) holds from an earlier run.
  const earlier = Object.values(await client.countInstances({ name: 'BenchQuick' })).reduce((sum, count) => sum + count, 0);
  let started = performance.now();
  await seedStepped(backend, HUB, backlog, 'BenchQuick', 'old', 'Completed');
  rows.push([`seeded ${backlog} Completed instances (the backlog)`, `${seconds(started)} s`]);
  await new Promise((resolve) => setTimeout(resolve, keepSeconds * 1000));

  const worker = new Worker({ backend, hub: HUB, registry: registry(), logger: silentLogger });
  worker.start();
  try {
    const finishRate = Number(args['finish-rate']);
    const durationMs = Number(args.seconds) * 1000;
    started = performance.now();
    let startedCount = 0;
    // The stream: BenchQuick orchestrations started at finishRate a second, in tenths of a second.
    const stream = (async () => {
      while (performance.now() - started < durationMs) {
        const due = Math.floor(((performance.now() - started) / 1000) * finishRate) - startedCount;
        if (due > 0) {
          await Promise.all(Array.from({ length: due }, () => client.startNew('BenchQuick')));
          startedCount += due;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await client.setRetention({ completedDays: keepSeconds / 86_400, intervalSeconds: 1 });
    // Counted from the instances themselves (the retention's own total moves only when a run ends):
    // purged = what was there and is gone; finished = started and no longer unfinished.
    const measure = async () => {
      const counts = await client.countInstances({ name: 'BenchQuick' });
      const present = Object.values(counts).reduce((sum, count) => sum + count, 0);
      const unfinished = (counts.Pending ?? 0) + (counts.Running ?? 0);
      return { at: performance.now(), purged: earlier + backlog + startedCount - present, finished: startedCount - unfinished, completed: counts.Completed ?? 0 };
    };
    let last = await measure();
    let drainedAt: number | undefined;
    while (performance.now() - started < durationMs) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const now = await backend.now();
      const current = await measure();
      const overdue = (await client.countInstances({ name: 'BenchQuick', runtimeStatus: ['Completed'], createdTimeTo: new Date(now - keepSeconds * 1000) })).Completed ?? 0;
      const window = (current.at - last.at) / 1000;
      rows.push([
        `  t=${seconds(started)} s`,
        `finished ${((current.finished - last.finished) / window).toFixed(0)}/s, purged ${((current.purged - last.purged) / window).toFixed(0)}/s, ` +
          `Completed ${current.completed}, created before the keep period ${overdue}`,
      ]);
      if (drainedAt === undefined && current.purged >= backlog) drainedAt = current.at;
      last = current;
    }
    await stream;
    const end = await measure();
    const totalSeconds = (end.at - started) / 1000;
    rows.push(
      [`retention (keep ${keepSeconds} s, every 1 s), ${args.seconds} s`, `purged ${end.purged} (${(end.purged / totalSeconds).toFixed(0)}/s; ${backlog} of them the backlog)`],
      [`stream asked ${finishRate}/s`, `started ${startedCount} (${(startedCount / totalSeconds).toFixed(0)}/s), finished ${end.finished} (${(end.finished / totalSeconds).toFixed(0)}/s)`],
      [`backlog of ${backlog} purged`, drainedAt === undefined ? 'not within the run' : `within ${((drainedAt - started) / 1000).toFixed(0)} s`],
      ['load average after retention', loadAverage()],
    );
  } finally {
    await worker.stop();
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function summary(samples: number[]): string {
  return `${percentile(samples, 0.5).toFixed(0)} / ${percentile(samples, 0.95).toFixed(0)} / ${Math.max(...samples).toFixed(0)} ms (${samples.length} runs)`;
}

/** The machine is shared (docs/benchmarks.md says so): the load average goes with every figure. */
function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

await main();
