/**
 * `npm run bench`: the workloads of bench/measure.ts on taskhub, the way a user writes it.
 *   node dist/bench/run.js [--store sqlite|postgres] [--transport in-process|http] [--tuned]
 *                          [--synchronous full|normal] [--throughput N] [--latency N] [--fanouts N]
 *                          [--in-flight N] [--json FILE]
 * In process: `createTaskHub({ storage, registry })` with the default worker, each orchestration run by
 * `client.startNew` then `client.waitForCompletion`. Over HTTP: `taskhub serve` in a child process, each
 * orchestration one `POST …/orchestrators/{name}?timeout=600` (start, then wait on the same request).
 * `--tuned` (in process only) raises the worker's concurrency to 200 orchestrations and 200 activities:
 * an extra row, labelled as such, never the headline. `--no-sticky` (in process only) turns sticky
 * execution off (maxCachedInstances 0), every step replaying from the store: a labelled row, to compare.
 */
import { parseArgs } from 'node:util';
import { createTaskHub } from '../src/index.js';
import { COUNT_OPTIONS, countsOf, ownCpuSeconds, ownPeakRssMegabytes, report, runWorkloads, type BenchEngine, type BenchResult } from './measure.js';
import { preconnect, startAndWait, startServe } from './serve-process.js';
import { openBenchStore } from './store.js';
import { countPgRoundTrips } from './pg-round-trips.js';
import { benchRegistry } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    transport: { type: 'string', default: 'in-process' },
    tuned: { type: 'boolean', default: false },
    'no-sticky': { type: 'boolean', default: false },
    synchronous: { type: 'string', default: 'full' },
    ...COUNT_OPTIONS,
  },
});
const counts = countsOf(args);
const HUB = 'bench';
// Logs at warn, as the peers' are.
process.env.TASKHUB_LOG_LEVEL ??= 'warn';

async function inProcess(): Promise<BenchResult> {
  const roundTrips = args.store === 'postgres' ? countPgRoundTrips() : undefined;
  const store = openBenchStore(args.store, args.synchronous === 'normal' ? 'normal' : 'full');
  const taskHub = await createTaskHub({
    storage: store.storage,
    hub: HUB,
    registry: benchRegistry,
    ...(store.synchronous === 'normal' ? { sqliteSynchronous: 'normal' as const } : {}),
    worker: {
      ...(args.tuned ? { orchestrationConcurrency: 200, activityConcurrency: 200 } : {}),
      ...(args['no-sticky'] ? { maxCachedInstances: 0 } : {}),
    },
  });
  const run = async (name: string, input: unknown) => {
    const id = await taskHub.client.startNew(name, { input });
    const status = await taskHub.client.waitForCompletion(id, { timeoutInMilliseconds: 600_000 });
    if (status.runtimeStatus !== 'Completed') throw new Error(`instance ${id} ended ${status.runtimeStatus}`);
    return status.output;
  };
  const engine: BenchEngine = {
    hello: (cities) => run('BenchHelloSequence', cities),
    fanOut: (n) => run('BenchFanOut', n),
    ...(roundTrips ? { roundTrips } : {}),
  };
  try {
    const figures = await runWorkloads(engine, counts);
    console.log(`client, worker and store used ${ownCpuSeconds().toFixed(2)} s of CPU for the run`);
    return {
      engine: `taskhub, ${store.label}${args.tuned ? ', tuned' : ''}${args['no-sticky'] ? ', no sticky execution' : ''}`,
      transport: 'in process',
      detail: [
        args.tuned ? 'orchestrationConcurrency 200, activityConcurrency 200' : 'createTaskHub defaults, startNew + waitForCompletion',
        ...(args['no-sticky'] ? ['maxCachedInstances 0'] : []),
      ].join(', '),
      ...figures,
      peakRss: [{ process: 'client + worker + store', megabytes: ownPeakRssMegabytes() }],
    };
  } finally {
    await taskHub.close();
    await store.cleanup();
  }
}

async function overHttp(): Promise<BenchResult> {
  if (args.tuned || args['no-sticky']) throw new Error('--tuned and --no-sticky are for the in-process run: taskhub serve takes the defaults');
  const store = openBenchStore(args.store);
  const server = await startServe(store.storage, HUB);
  try {
    const engine: BenchEngine = {
      hello: (cities) => startAndWait(server.url, 'BenchHelloSequence', cities),
      fanOut: (n) => startAndWait(server.url, 'BenchFanOut', n),
      beforeBurst: (count) => preconnect(server.url, count),
    };
    const figures = await runWorkloads(engine, counts);
    // The server's CPU for the whole run: the figure to compare on a machine shared with other work. The
    // client's own is beside it: it shares the cores, so a client that needed as much would be the bound.
    console.log(`taskhub serve used ${server.cpuSeconds().toFixed(2)} s of CPU for the run, the benchmark's HTTP client ${ownCpuSeconds().toFixed(2)} s`);
    return {
      engine: `taskhub, ${store.label}`,
      transport: 'HTTP',
      detail: 'taskhub serve defaults, POST …/orchestrators/{name}?timeout=600',
      ...figures,
      peakRss: [{ process: 'taskhub serve', megabytes: server.peakRssMegabytes() }],
    };
  } finally {
    await server.stop();
    await store.cleanup();
  }
}

if (args.transport !== 'in-process' && args.transport !== 'http') throw new Error(`--transport is in-process or http, not ${args.transport}`);
report(args.transport === 'http' ? await overHttp() : await inProcess(), args.json);
