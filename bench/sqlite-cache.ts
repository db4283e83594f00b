/**
 * Idle hello sequences against an existing SQLite store with a chosen page cache: what the page cache
 * and memory map sizes do to a store of 1,000,000 instances (docs/benchmarks.md, "SQLite page cache").
 *   node dist/bench/sqlite-cache.js --seeded sqlite:<file> [--cache-kib N] [--mmap-bytes N] [--rounds 10]
 *                                   [--statements]
 * Seed the store first with `node dist/bench/management.js --instances 1000000 --seed-only`. Ten chains
 * run hello sequences one after another, `--rounds` each (as bench/management.ts's idle row does).
 * `--statements` prints the statements that took the most time in all, by SQL text.
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createTaskHub } from '../src/index.js';
import { percentile } from './measure.js';
import { benchRegistry, CITIES } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    seeded: { type: 'string' },
    'cache-kib': { type: 'string' },
    'mmap-bytes': { type: 'string' },
    rounds: { type: 'string', default: '10' },
    statements: { type: 'boolean', default: false },
  },
});
if (args.seeded === undefined) throw new Error('--seeded sqlite:<file> names the store to measure (seed it with bench/management.ts --seed-only)');
process.env.TASKHUB_LOG_LEVEL ??= 'warn';


/** Time spent in each statement, by SQL text: wraps every statement the process prepares. */
const statementMs = new Map<string, { ms: number; calls: number }>();
if (args.statements) {
  const prepare = Reflect.get(Database.prototype, 'prepare') as (this: Database.Database, source: string) => Database.Statement;
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    const statement = prepare.call(this, source);
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...params: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
        const started = performance.now();
        try {
          return original(...params);
        } finally {
          const entry = statementMs.get(source) ?? { ms: 0, calls: 0 };
          entry.ms += performance.now() - started;
          entry.calls += 1;
          statementMs.set(source, entry);
        }
      };
    }
    return statement;
  } as typeof Database.prototype.prepare;
}

const taskHub = await createTaskHub({
  storage: args.seeded,
  hub: 'bench',
  registry: benchRegistry,
  ...(args['cache-kib'] === undefined ? {} : { sqliteCacheSizeKib: Number(args['cache-kib']) }),
  ...(args['mmap-bytes'] === undefined ? {} : { sqliteMmapSizeBytes: Number(args['mmap-bytes']) }),
});
try {
  const rounds = Number(args.rounds);
  const latencies: number[] = [];
  const chain = async () => {
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const id = await taskHub.client.startNew('BenchHelloSequence', { input: CITIES });
      const status = await taskHub.client.waitForCompletion(id, { timeoutInMilliseconds: 120_000 });
      if (status.runtimeStatus !== 'Completed') throw new Error(`instance ${id} ended ${status.runtimeStatus}`);
      latencies.push(performance.now() - started);
    }
  };
  statementMs.clear();
  await Promise.all(Array.from({ length: 10 }, chain));
  const cache = args['cache-kib'] ?? 'default';
  const mmap = args['mmap-bytes'] ?? 'default';
  console.log(
    `cache ${cache} KiB, mmap ${mmap} B: ${latencies.length} hello sequences, 10 at a time: ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  if (args.statements) {
    const sqlMs = [...statementMs.values()].reduce((sum, entry) => sum + entry.ms, 0);
    console.log(`statements (transaction commits not included): ${(sqlMs / latencies.length).toFixed(2)} ms per hello sequence`);
  }
  const slowest = [...statementMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  for (const [source, { ms, calls }] of slowest) {
    console.log(`${ms.toFixed(0).padStart(7)} ms ${String(calls).padStart(6)} calls  ${source.replace(/\s+/g, ' ').slice(0, 160)}`);
  }
} finally {
  await taskHub.close();
}
