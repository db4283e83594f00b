/**
 * `npm run bench`: the hello-sequence latency and throughput workloads and fan-out 100 (BENCHMARKS.md 1–3)
 * on taskhub, in one process (client + worker), on a fresh store.
 *   node dist/bench/run.js [--store sqlite|postgres] [--synchronous full|normal] [--throughput N] [--latency N]
 */
import { parseArgs } from 'node:util';
import { silentLogger, type TaskHub } from '../src/index.js';
import { openBenchStore } from './store.js';
import { benchRegistry, CITIES } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    synchronous: { type: 'string', default: 'full' },
    latency: { type: 'string', default: '200' },
    throughput: { type: 'string', default: '2000' },
    fanouts: { type: 'string', default: '20' },
  },
});

const EXPECTED_HELLO = JSON.stringify(CITIES.map((c) => `Hello ${c}`));

async function main(): Promise<void> {
  const { taskHub, cleanup, label } = await openBenchStore(args.store, args.synchronous === 'normal' ? 'normal' : 'full', {
    hub: 'bench',
    registry: benchRegistry,
    worker: { logger: silentLogger, orchestrationConcurrency: 200, activityConcurrency: 200 },
  });
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const finished = trackFinished(taskHub);
    const runHello = async () => {
      const started = performance.now();
      const id = await taskHub.client.startNew('BenchHelloSequence', { input: CITIES });
      await finished.wait(id);
      await check(taskHub, id, EXPECTED_HELLO);
      // Like the peers' figures, with the output in hand.
      return performance.now() - started;
    };
    const runFanOut = async (n: number) => {
      const started = performance.now();
      const id = await taskHub.client.startNew('BenchFanOut', { input: n });
      await finished.wait(id);
      await check(taskHub, id, String((n * (n + 1)) / 2));
      return performance.now() - started;
    };

    for (let i = 0; i < 20; i++) await runHello();
    for (let i = 0; i < 2; i++) await runFanOut(100);

    const latencies: number[] = [];
    for (let i = 0; i < Number(args.latency); i++) latencies.push(await runHello());

    const count = Number(args.throughput);
    const throughputStart = performance.now();
    const ids = await Promise.all(Array.from({ length: count }, () => taskHub.client.startNew('BenchHelloSequence', { input: CITIES })));
    await Promise.all(ids.map(async (id) => {
      await finished.wait(id);
      await check(taskHub, id, EXPECTED_HELLO);
    }));
    const throughputMs = performance.now() - throughputStart;

    const fanOuts: number[] = [];
    for (let i = 0; i < Number(args.fanouts); i++) fanOuts.push(await runFanOut(100));

    const rows = [
      ['store', label],
      ['hello latency median', `${percentile(latencies, 50).toFixed(2)} ms`],
      ['hello latency p99', `${percentile(latencies, 99).toFixed(2)} ms`],
      [`throughput, ${count} at once`, `${((count / throughputMs) * 1000).toFixed(0)} orchestrations/s (${(throughputMs / 1000).toFixed(2)} s)`],
      ['fan-out 100 median', `${percentile(fanOuts, 50).toFixed(1)} ms`],
      ['fan-out 100 max', `${Math.max(...fanOuts).toFixed(1)} ms`],
      ['peak RSS (client + worker + store)', `${(peakRss / 1024 / 1024).toFixed(0)} MB`],
    ];
    const width = Math.max(...rows.map((r) => r[0]!.length));
    for (const [name, value] of rows) console.log(`${name!.padEnd(width)}  ${value}`);
    finished.stop();
  } finally {
    clearInterval(rssTimer);
    await taskHub.close();
    await cleanup();
  }
}

/** One subscription for all waiters: a signal per finished instance, with polling as the safety net. */
function trackFinished(taskHub: TaskHub) {
  const done = new Set<string>();
  const waiters = new Map<string, () => void>();
  const unsubscribe = taskHub.backend.subscribe(taskHub.client.hub, (signal) => {
    if (signal.kind !== 'finished') return;
    done.add(signal.instanceId);
    waiters.get(signal.instanceId)?.();
  });
  return {
    async wait(id: string): Promise<void> {
      if (done.has(id)) return;
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          void taskHub.client.getStatus(id).then((s) => {
            if (s && ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus)) finish();
          });
        }, 1000);
        const finish = () => {
          clearInterval(poll);
          waiters.delete(id);
          resolve();
        };
        waiters.set(id, finish);
      });
    },
    stop: unsubscribe,
  };
}

async function check(taskHub: TaskHub, id: string, expectedOutput: string): Promise<void> {
  const status = await taskHub.client.getStatus(id);
  if (status?.runtimeStatus !== 'Completed' || JSON.stringify(status.output) !== expectedOutput) {
    throw new Error(`instance ${id} ended ${status?.runtimeStatus} with ${JSON.stringify(status?.output)}, expected ${expectedOutput}`);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

await main();
