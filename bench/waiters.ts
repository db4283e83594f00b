/**
 * What waiting costs the engine: N hello sequences started at once, finished while
 * either nobody waits on each (the reference: one subscription counts the "finished" signals in process;
 * over HTTP, starts answered 202 and the counts route read every 100 ms) or every one has its own waiter
 * (`client.waitForCompletion` in process; `POST …/orchestrators/{name}?timeout=600` over HTTP). Rounds
 * alternate the two; each figure is the wall time from the first start to the last finish, and the CPU time
 * the engine's process spent per orchestration (this process in process, the server's over HTTP), which a
 * machine shared with other work disturbs less than the wall time.
 *   node dist/bench/waiters.js [--store sqlite|postgres] [--transport in-process|http] [--count N] [--rounds N]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import http from 'node:http';
import { createTaskHub, type TaskHub } from '../src/index.js';
import { CITIES } from './measure.js';
import { postJson, preconnect, startAndWait, startServe } from './serve-process.js';
import { openBenchStore } from './store.js';
import { benchRegistry } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    transport: { type: 'string', default: 'in-process' },
    count: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
  },
});
const count = Number(args.count);
const HUB = 'bench';
const HELLO = 'BenchHelloSequence';
process.env.TASKHUB_LOG_LEVEL ??= 'warn';

interface Variant {
  name: string;
  /** Untimed, before the run. */
  prepare?(): Promise<void>;
  /** Starts `count` hellos and resolves when all have finished. */
  run(): Promise<void>;
}

function inProcessVariants(taskHub: TaskHub): Variant[] {
  const { client } = taskHub;
  return [
    {
      name: 'no waiters (one subscription counts finishes)',
      async run() {
        // Nothing else runs in the hub meanwhile: every finish seen is one of these.
        const seen = new Set<string>();
        let allFinished!: () => void;
        const finished = new Promise<void>((resolve) => (allFinished = resolve));
        const unsubscribe = client.subscribe((signal) => {
          if (signal.kind === 'finished' && !seen.has(signal.instanceId) && seen.add(signal.instanceId).size === count) allFinished();
        });
        await Promise.all(Array.from({ length: count }, () => client.startNew(HELLO, { input: CITIES })));
        await finished;
        unsubscribe();
      },
    },
    {
      name: `${count} waiters (waitForCompletion each)`,
      async run() {
        await Promise.all(
          Array.from({ length: count }, async () => {
            const id = await client.startNew(HELLO, { input: CITIES });
            const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 600_000 });
            if (status.runtimeStatus !== 'Completed') throw new Error(`${id} ended ${status.runtimeStatus}`);
          }),
        );
      },
    },
  ];
}

function httpVariants(url: string): Variant[] {
  const completed = async () => {
    const counts = await getJson(`${url}/runtime/webhooks/durabletask/counts?runtimeStatus=Completed`);
    return (counts as { Completed: number }).Completed;
  };
  return [
    {
      name: 'no waiters (starts answered 202, counts read every 100 ms)',
      prepare: () => preconnect(url, count),
      async run() {
        const before = await completed();
        const answers = await Promise.all(Array.from({ length: count }, () => postJson(`${url}/runtime/webhooks/durabletask/orchestrators/${HELLO}`, CITIES)));
        if (answers.some((a) => a.status !== 202)) throw new Error('a start was not answered 202');
        while ((await completed()) < before + count) await sleep(100);
      },
    },
    {
      name: `${count} waiting requests (?timeout=600)`,
      prepare: () => preconnect(url, count),
      async run() {
        await Promise.all(Array.from({ length: count }, () => startAndWait(url, HELLO, CITIES)));
      },
    },
  ];
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(JSON.parse(text) as unknown));
    }).on('error', reject);
  });
}

/** CPU seconds of the engine's process so far: this one in process, the server's over HTTP. */
type CpuClock = () => number;
const ownCpuSeconds: CpuClock = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

async function measure(variants: Variant[], cpuSeconds: CpuClock): Promise<void> {
  const rates = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const cpu = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const variant of variants) {
      await variant.prepare?.();
      const started = performance.now();
      const cpuBefore = cpuSeconds();
      await variant.run();
      const rate = (count / (performance.now() - started)) * 1000;
      const cpuMs = ((cpuSeconds() - cpuBefore) / count) * 1000;
      rates.get(variant.name)!.push(rate);
      cpu.get(variant.name)!.push(cpuMs);
      console.log(`round ${round + 1}  ${variant.name.padEnd(60)} ${rate.toFixed(0).padStart(5)} orchestrations/s  ${cpuMs.toFixed(3)} ms CPU each`);
    }
  }
  const best = (name: string) => Math.max(...rates.get(name)!);
  const [reference, waiting] = variants.map((v) => best(v.name)) as [number, number];
  const leastCpu = (name: string) => Math.min(...cpu.get(name)!);
  const [referenceCpu, waitingCpu] = variants.map((v) => leastCpu(v.name)) as [number, number];
  console.log(`best of each: ${reference.toFixed(0)}/s without waiters, ${waiting.toFixed(0)}/s with: ${((1 - waiting / reference) * 100).toFixed(1)} % less throughput`);
  console.log(`least CPU of each: ${referenceCpu.toFixed(3)} ms without, ${waitingCpu.toFixed(3)} ms with: waiting adds ${((waitingCpu / referenceCpu - 1) * 100).toFixed(1)} % CPU per orchestration`);
}

const store = openBenchStore(args.store);
console.log(`${store.label}, ${args.transport}, ${count} hello sequences at once`);
if (args.transport === 'http') {
  const server = await startServe(store.storage, HUB);
  try {
    await measure(httpVariants(server.url), () => server.cpuSeconds());
  } finally {
    await server.stop();
  }
} else {
  const taskHub = await createTaskHub({ storage: store.storage, hub: HUB, registry: benchRegistry });
  try {
    await measure(inProcessVariants(taskHub), ownCpuSeconds);
  } finally {
    await taskHub.close();
  }
}
await store.cleanup();
