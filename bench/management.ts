/**
 * Instance-management workloads on one store: list a page of 100 with each filter (oldest and newest
 * first), count per status, the dashboard's histogram, the status with history of a 10k-event instance, and
 * purges of finished instances (a tenth of them, then the rest) while hello sequences keep running, whose
 * latency is measured idle first.
 *   node dist/bench/management.js [--store sqlite|postgres] [--instances 1000000] [--seed-only]
 *     [--seeded <storage> [--queries-only]]
 * The instances are seeded through the Backend's own methods (create, claim, commit), `--lanes` rounds of
 * 1,000 at once, each with a `tenant` tag of 1,000 values. `--seed-only` seeds, prints the store's
 * connection string and leaves the store in place, not vacuumed (to look at plans with EXPLAIN); drop it
 * afterwards. `--seeded <storage>` measures such a store instead of seeding one (it is left in place;
 * the purges empty it), and `--queries-only` stops before the purges: one seeded store then serves runs of
 * two builds side by side, which on a shared machine compares them better than two seeds apart.
 */
import { parseArgs } from 'node:util';
import { Worker, createTaskHub, silentLogger, type Backend, type TaskHubClient } from '../src/index.js';
import type { HistoryEvent, RuntimeStatus } from '../src/core/history.js';
import { openBenchStore } from './store.js';
import { benchRegistry, CITIES } from './workloads.js';
import { seedFinishedInstances, type FinishedSeed } from './seed-finished.js';
import { vacuumAnalyze } from './postgres-vacuum.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1000000' },
    lanes: { type: 'string', default: '2' },
    'seed-only': { type: 'boolean', default: false },
    seeded: { type: 'string' },
    'queries-only': { type: 'boolean', default: false },
  },
});
const HUB = 'bench';
const FINISHED: RuntimeStatus[] = ['Completed', 'Completed', 'Completed', 'Failed', 'Terminated'];

async function main(): Promise<void> {
  const opened = args.seeded === undefined ? openBenchStore(args.store) : undefined;
  const storage = opened?.storage ?? args.seeded!;
  const taskHub = await createTaskHub({ storage, hub: HUB, registry: benchRegistry, worker: false });
  const { client, backend } = taskHub;
  let keep = opened === undefined;
  try {
    const total = Number(args.instances);
    const rows: [string, string][] = [['store', opened?.label ?? storage]];
    let seeded: Seeded;
    if (opened === undefined) {
      seeded = await seededBefore(client, total);
    } else {
      const seedStarted = performance.now();
      seeded = await seed(backend, total, Number(args.lanes));
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      if (args['seed-only']) {
        keep = true;
        console.log(`seeded ${total} in ${seedSeconds.toFixed(1)} s; store left in place (not vacuumed): ${storage}`);
        return;
      }
      rows.push([`seed ${total} finished instances`, `${seedSeconds.toFixed(1)} s`]);
      if (args.store === 'postgres') rows.push(['VACUUM (ANALYZE) of the seeded tables', `${(await vacuumAnalyze(storage)).toFixed(1)} s`]);
    }
    const { createdFrom, tenthSeeded, middle, historyId } = seeded;
    const time = async (name: string, run: () => Promise<unknown>, runs = 21) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      rows.push([name, `${percentile(samples, 0.5).toFixed(1)} ms (p50 of ${runs})`]);
    };
    for (const newestFirst of [false, true]) {
      const order = newestFirst ? ', newest first' : '';
      const orderBy = newestFirst ? ('newest' as const) : undefined;
      await time(`list 100: status + created range${order}`, () =>
        client.listInstances({ runtimeStatus: ['Failed'], createdTimeFrom: middle, pageSize: 100, orderBy }));
      await time(`list 100: instance id prefix${order}`, () => client.listInstances({ instanceIdPrefix: 'seed-5', pageSize: 100, orderBy }));
      await time(`list 100: orchestrator name${order}`, () => client.listInstances({ name: 'Seeded', pageSize: 100, orderBy }));
      await time(`list 100: tag tenant${order}`, () => client.listInstances({ tags: { tenant: 't-421' }, pageSize: 100, orderBy }));
      let token: string | undefined;
      await time(`list 100: next page by continuation token${order}`, async () => {
        token = (await client.listInstances({ pageSize: 100, continuationToken: token, orderBy })).continuationToken;
      });
    }
    await time('count per status (all)', () => client.countInstances());
    await time('count per status, one tag', () => client.countInstances({ tags: { tenant: 't-421' } }));
    await time('histogram: created per minute by status, whole range', () =>
      client.instanceHistogram({}, { origin: new Date(Math.floor(createdFrom.getTime() / 60_000) * 60_000), intervalMs: 60_000 }));
    // From the middle of the range, to the millisecond: the partial minute at its start is counted from the instances.
    await time('histogram: per minute by status, from mid-range', () =>
      client.instanceHistogram({ createdTimeFrom: middle }, { origin: new Date(Math.floor(middle.getTime() / 60_000) * 60_000), intervalMs: 60_000 }));
    await time('status with showHistory, 10k events', () => client.getStatus(historyId, { showHistory: true, showHistoryOutput: true }));

    if (args['queries-only']) {
      printRows(rows);
      return;
    }
    // The worker starts only now: seeded instances name an orchestrator it does not have.
    const worker = new Worker({ backend, hub: HUB, registry: benchRegistry, logger: silentLogger });
    worker.start();
    const idle = await helloLatencies(client, () => false);
    rows.push(['hello sequence latency, idle (10 at a time)', describe(idle)]);
    const purge = async (name: string, filter: { createdTimeFrom?: Date; createdTimeTo?: Date }) => {
      let purging = true;
      const during = helloLatencies(client, () => purging);
      const started = performance.now();
      const { instancesDeleted } = await client.purgeInstanceHistoryBy(filter);
      const seconds = (performance.now() - started) / 1000;
      purging = false;
      rows.push([`purge ${instancesDeleted} finished instances (${name})`, `${seconds.toFixed(2)} s`]);
      rows.push([`  hello sequence latency during it`, describe(await during)]);
    };
    await purge('the first tenth', { createdTimeFrom: createdFrom, createdTimeTo: tenthSeeded });
    await purge('the rest', { createdTimeFrom: createdFrom });
    await worker.stop();
    printRows(rows);
  } finally {
    await taskHub.close();
    if (!keep) await opened?.cleanup();
  }
}

function printRows(rows: [string, string][]): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
}

/** Where the seeding put things: the creation times that bound the tenth purged first, and the long history. */
interface Seeded {
  createdFrom: Date;
  tenthSeeded: Date;
  middle: Date;
  historyId: string;
}

async function seed(backend: Backend, total: number, lanes: number): Promise<Seeded> {
  const tenth = Math.floor(total / 10);
  const finished: FinishedSeed = { hub: HUB, prefix: 'seed', name: 'Seeded', statuses: FINISHED, lanes };
  const createdFrom = new Date(await backend.now());
  await seedFinishedInstances(backend, finished, 0, tenth);
  // Instances created up to here are the tenth purged first.
  const tenthSeeded = new Date(await backend.now());
  await seedFinishedInstances(backend, finished, tenth, total);
  const seededTo = new Date(await backend.now());
  const middle = new Date((createdFrom.getTime() + seededTo.getTime()) / 2);
  return { createdFrom, tenthSeeded, middle, historyId: await seedLongHistory(backend, 10_000) };
}

/** The same bounds read back from a store seeded by an earlier `--seed-only` run. */
async function seededBefore(client: TaskHubClient, total: number): Promise<Seeded> {
  const createdTime = async (orderBy: 'oldest' | 'newest') => {
    const [first] = (await client.listInstances({ name: 'Seeded', pageSize: 1, orderBy })).instances;
    if (first === undefined) throw new Error('--seeded names a store without seeded instances: seed one with --seed-only first');
    return new Date(first.createdTime).getTime();
  };
  const createdFrom = await createdTime('oldest');
  const seededTo = await createdTime('newest');
  const tenth = await client.getStatus(`seed-${Math.floor(total / 10)}`);
  return {
    createdFrom: new Date(createdFrom),
    tenthSeeded: new Date(tenth === undefined ? seededTo : new Date(tenth.createdTime).getTime()),
    middle: new Date((createdFrom + seededTo) / 2),
    historyId: 'long-history',
  };
}

/** Hello sequences, 10 at a time, each timed from start to completion: at least 100, and on while `more()`. */
async function helloLatencies(client: TaskHubClient, more: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  const chain = async () => {
    for (let i = 0; i < 10 || more(); i++) {
      const started = performance.now();
      const id = await client.startNew('BenchHelloSequence', { input: CITIES });
      await client.waitForCompletion(id, { timeoutInMilliseconds: 120_000 });
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: 10 }, chain));
  return latencies;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function describe(latencies: number[]): string {
  return `p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms (${latencies.length})`;
}

/** One Running instance whose history holds `events` TaskCompleted events (written directly). */
async function seedLongHistory(backend: Backend, events: number): Promise<string> {
  const instanceId = 'long-history';
  const executionId = 'long';
  const timestamp = new Date().toISOString();
  await backend.createInstance(HUB, {
    instanceId,
    executionId,
    name: 'Seeded',
    startEvent: { type: 'ExecutionStarted', eventId: -1, timestamp, name: 'Seeded', executionId },
  });
  const [item] = await backend.claimOrchestrations(HUB, { workerId: 'seeder', max: 1, leaseMs: 60_000 });
  const history: HistoryEvent[] = [...item!.messages.map((m) => m.event)];
  for (let i = 0; history.length < events; i++) {
    history.push({ type: 'TaskScheduled', eventId: i, timestamp, name: 'Step', input: String(i) });
    history.push({ type: 'TaskCompleted', eventId: -1, timestamp, taskScheduledId: i, result: `"result ${i}"` });
  }
  await backend.commitOrchestration(HUB, item!, {
    instance: { status: 'Running' },
    ops: [{ op: 'appendHistory', events: history }, { op: 'deleteMessages', ids: item!.messages.map((m) => m.id) }],
  });
  return instanceId;
}

await main();
