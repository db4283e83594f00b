/**
 * The SQLite backend alone, without the engine: write transactions per second for createInstance and for a
 * claim + commit cycle (one orchestration step: two write transactions), with synchronous=FULL (the default)
 * and NORMAL, next to the floor measured in the same run: one 100-byte row per commit on a bare table
 * (docs/benchmarks.md). Sequential, one connection, a fresh file in a temp dir. Not a test; prints a table.
 *   node --import tsx bench/sqlite-store.ts [--instances 2000] [--runs 3]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { HistoryEvent } from '../src/core/history.js';
import { openSqliteBackend, type SqliteBackend } from '../src/backend/sqlite/index.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
  },
});
const INSTANCES = Number(args.instances);
const RUNS = Number(args.runs);
const WARM_UP = 200;
const HUB = 'bench';
const TIMESTAMP = '2024-01-01T00:00:00.000Z';

function event(type: string, extra: object = {}): HistoryEvent {
  return { type, eventId: -1, timestamp: TIMESTAMP, ...extra } as HistoryEvent;
}

async function createInstances(backend: SqliteBackend, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const instanceId = randomUUID();
    const executionId = randomUUID();
    const startEvent = { type: 'ExecutionStarted' as const, eventId: -1, timestamp: TIMESTAMP, name: 'Hello', executionId, input: '"Tokyo"' };
    await backend.createInstance(HUB, { instanceId, executionId, name: 'Hello', input: '"Tokyo"', startEvent });
  }
}

/** The first step of a one-activity orchestration: claim it, append its events, schedule the activity. */
async function claimAndCommit(backend: SqliteBackend, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const [item] = await backend.claimOrchestrations(HUB, { workerId: 'bench', max: 1, leaseMs: 60_000 });
    if (item === undefined) throw new Error('ran out of work');
    const outcome = await backend.commitOrchestration(HUB, item, {
      instance: { status: 'Running' },
      ops: [
        {
          op: 'appendHistory',
          events: [
            event('OrchestratorStarted'),
            ...item.messages.map((m) => m.event),
            event('TaskScheduled', { eventId: 0, name: 'SayHello', input: '"Tokyo"' }),
            event('OrchestratorCompleted'),
          ],
        },
        { op: 'deleteMessages', ids: item.messages.map((m) => m.id) },
        { op: 'insertTasks', tasks: [{ taskId: 0, name: 'SayHello', input: '"Tokyo"' }] },
      ],
    });
    if (!outcome.ok) throw new Error('lease lost');
  }
}

/** The floor: the same file settings, one small row per commit, nothing else. */
function floorCommits(path: string, synchronous: 'full' | 'normal', count: number): number {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, value TEXT)');
    const insert = db.prepare('INSERT INTO floor (value) VALUES (?)');
    const value = 'x'.repeat(100);
    const start = performance.now();
    for (let i = 0; i < count; i++) insert.run(value);
    return (count * 1000) / (performance.now() - start);
  } finally {
    db.close();
  }
}

async function perSecond(count: number, work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (count * 1000) / (performance.now() - start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Result { floor: number; creates: number; cycles: number }

async function measure(synchronous: 'full' | 'normal'): Promise<Result> {
  const floors: number[] = [];
  const creates: number[] = [];
  const cycles: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const directory = mkdtempSync(join(tmpdir(), 'taskhub-bench-'));
    floors.push(floorCommits(join(directory, 'floor.db'), synchronous, INSTANCES));
    const backend = await openSqliteBackend(join(directory, 'bench.db'), { synchronous });
    try {
      await createInstances(backend, WARM_UP);
      await claimAndCommit(backend, WARM_UP);
      creates.push(await perSecond(INSTANCES, () => createInstances(backend, INSTANCES)));
      cycles.push(await perSecond(INSTANCES, () => claimAndCommit(backend, INSTANCES)));
    } finally {
      await backend.close();
      rmSync(directory, { recursive: true, force: true });
    }
  }
  return { floor: median(floors), creates: median(creates), cycles: median(cycles) };
}

console.log(`SQLite backend, ${INSTANCES} sequential operations per run, median of ${RUNS} runs (tmpdir: ${tmpdir()})`);
console.log('synchronous | floor commits/s | createInstance/s | claim+commit cycles/s | cycle write transactions/s');
const cell = (value: number, width: number): string => value.toFixed(0).padStart(width);
for (const mode of ['full', 'normal'] as const) {
  const { floor, creates, cycles } = await measure(mode);
  console.log(`${mode.padEnd(11)} | ${cell(floor, 15)} | ${cell(creates, 16)} | ${cell(cycles, 21)} | ${cell(2 * cycles, 26)}`);
}
