/**
 * Where a hello sequence's time goes on SQLite (docs/benchmarks.md, "Where a hello's time goes"): hellos
 * run one at a time through `startNew` + `waitForCompletion` with the default worker, every call the engine
 * and the waiter make to the store timed by a proxy around the backend. Prints the calls of a few hellos,
 * in milliseconds from each one's start, then the median and p99 of all of them.
 *   node dist/bench/hello-trace.js [--hellos 300] [--shown 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteBackend } from '../src/backend/sqlite/index.js';
import { createTaskHub, type Backend } from '../src/index.js';
import { percentile } from './measure.js';
import { benchRegistry, CITIES } from './workloads.js';

const { values: args } = parseArgs({ options: { hellos: { type: 'string', default: '300' }, shown: { type: 'string', default: '4' } } });
const HELLOS = Number(args.hellos);
const SHOWN = Number(args.shown);
// The first third warms up; the hellos shown are spread over the rest.
const SHOW_EVERY = Math.max(1, Math.floor((HELLOS * 2) / 3 / SHOWN));
process.env.TASKHUB_LOG_LEVEL ??= 'warn';

interface Call {
  name: string;
  startedAt: number;
  endedAt: number;
}

/** The backend with each asynchronous call recorded into `calls` while it is set. */
function timed(backend: SqliteBackend, sink: { calls: Call[] | undefined }): Backend {
  return new Proxy(backend, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...callArgs: unknown[]) => {
        const startedAt = performance.now();
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, callArgs);
        const calls = sink.calls;
        if (calls && result instanceof Promise) void result.then(() => calls.push({ name: property, startedAt, endedAt: performance.now() }), () => undefined);
        return result;
      };
    },
  });
}

const directory = mkdtempSync(join(tmpdir(), 'taskhub-hello-trace-'));
const store = new SqliteBackend({ path: join(directory, 'store.db') });
const sink: { calls: Call[] | undefined } = { calls: undefined };
const taskHub = await createTaskHub({ storage: timed(store, sink), hub: 'bench', registry: benchRegistry });
try {
  const latencies: number[] = [];
  for (let i = 0; i < HELLOS; i++) {
    const shown = i >= HELLOS / 3 && (i - Math.ceil(HELLOS / 3)) % SHOW_EVERY === 0;
    sink.calls = shown ? [] : undefined;
    const started = performance.now();
    const id = await taskHub.client.startNew('BenchHelloSequence', { input: CITIES });
    await taskHub.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 });
    const elapsed = performance.now() - started;
    latencies.push(elapsed);
    if (shown) {
      console.log(`hello ${i}: ${elapsed.toFixed(2)} ms`);
      for (const call of sink.calls!.sort((a, b) => a.startedAt - b.startedAt)) {
        console.log(`  ${(call.startedAt - started).toFixed(2).padStart(6)} → ${(call.endedAt - started).toFixed(2).padStart(6)} ms  ${call.name}`);
      }
    }
  }
  sink.calls = undefined;
  console.log(`${HELLOS} hellos one at a time: median ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);
} finally {
  await taskHub.close();
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
