/**
 * The PostgreSQL backend alone, without the engine: what one orchestration costs the database, in protocol
 * round trips and wall time, per backend call. Each instance runs the lifecycle of a one-activity
 * orchestration as the worker makes it (ADR 0006): create, claim + commit (schedules the activity and leases it
 * to the committer), complete the activity (claiming the next step), commit (completes); then the same calls
 * in batches of 50, as a busy worker without free slots makes them (claiming the tasks). Not a test; prints
 * a table. Server settings can travel in the URL, e.g. `?options=-c%20synchronous_commit%3Doff`.
 *   node --import tsx bench/postgres-store.ts [--instances 500] [--concurrency 10] [--pool 10]
 * Round trips are counted by wrapping pg.Client.prototype.query: one call is one round trip (node-postgres
 * does not pipeline).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Backend, OrchestrationWorkItem } from '../src/backend/backend.js';
import type { HistoryEvent } from '../src/core/history.js';
import { PostgresBackend } from '../src/backend/postgres/index.js';
import { countPgRoundTrips } from './pg-round-trips.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '10' },
    pool: { type: 'string', default: '10' },
    url: { type: 'string', default: process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
  },
});

const roundTrips = countPgRoundTrips();

const OPERATIONS = ['create', 'claim', 'commit (schedule and lease activity)', 'complete activity (and claim the step)', 'commit (complete)'] as const;
type Operation = (typeof OPERATIONS)[number];

interface Sample { ms: number; roundTrips: number }
const samples = new Map<Operation, Sample[]>(OPERATIONS.map((op) => [op, []]));

const TIMESTAMP = '2024-01-01T00:00:00.000Z';
const event = (type: string, extra: object = {}) => ({ type, eventId: -1, timestamp: TIMESTAMP, ...extra }) as HistoryEvent;

/** Times one call; the round-trip count is exact only when nothing else runs (the sequential pass). */
async function measured<T>(op: Operation, work: () => Promise<T>, record: boolean): Promise<T> {
  const before = roundTrips();
  const start = performance.now();
  const result = await work();
  if (record) samples.get(op)!.push({ ms: performance.now() - start, roundTrips: roundTrips() - before });
  return result;
}

async function claimOne(backend: Backend, hub: string, op: Operation, record: boolean): Promise<OrchestrationWorkItem> {
  for (;;) {
    const [item] = await measured(op, () => backend.claimOrchestrations(hub, { workerId: 'bench', max: 1, leaseMs: 60_000 }), record);
    if (item !== undefined) return item;
  }
}

async function lifecycle(backend: Backend, hub: string, record: boolean): Promise<void> {
  const instanceId = randomUUID();
  const executionId = randomUUID();
  const startEvent = { type: 'ExecutionStarted' as const, eventId: -1, timestamp: TIMESTAMP, name: 'Hello', executionId, input: '"Tokyo"' };
  await measured('create', () => backend.createInstance(hub, { instanceId, executionId, name: 'Hello', input: '"Tokyo"', startEvent }), record);

  const item = await claimOne(backend, hub, 'claim', record);
  // As the worker does: the commit leases the task it creates to the committing worker (ADR 0006).
  const scheduled = await measured('commit (schedule and lease activity)', () => backend.commitOrchestration(hub, item, {
    instance: { status: 'Running' },
    ops: [
      { op: 'appendHistory', events: [event('OrchestratorStarted'), startEvent, event('TaskScheduled', { eventId: 0, name: 'SayHello', input: '"Tokyo"' }), event('OrchestratorCompleted')] },
      { op: 'deleteMessages', ids: item.messages.map((m) => m.id) },
      { op: 'insertTasks', tasks: [{ taskId: 0, name: 'SayHello', input: '"Tokyo"' }], lease: { workerId: 'bench', max: 1, leaseMs: 60_000 } },
    ],
  }), record);
  const completed = scheduled.ok ? scheduled.leasedActivities[0] : undefined;
  if (completed === undefined) throw new Error('the commit did not lease its activity');
  const completion = await measured('complete activity (and claim the step)', () => backend.completeActivity(hub, completed, {
    instanceId: completed.instanceId, executionId: completed.executionId,
    event: { type: 'TaskCompleted', eventId: -1, timestamp: TIMESTAMP, taskScheduledId: 0, result: '"Hello Tokyo"' },
  }, { workerId: 'bench', leaseMs: 60_000 }), record);
  const last = completion.ok ? completion.claimed : undefined;
  if (last === undefined) throw new Error('the completion did not claim the next step');
  await measured('commit (complete)', () => backend.commitOrchestration(hub, last, {
    instance: { status: 'Completed', output: '"Hello Tokyo"' },
    ops: [
      { op: 'appendHistory', events: [event('OrchestratorStarted'), ...last.messages.map((m) => m.event), event('ExecutionCompleted', { orchestrationStatus: 'Completed', result: '"Hello Tokyo"' }), event('OrchestratorCompleted')] },
      { op: 'deleteMessages', ids: last.messages.map((m) => m.id) },
      { op: 'deleteAllMessages' },
      { op: 'dropUnleasedTasks' },
    ],
  }), record);
}

/**
 * The floor under any PostgreSQL engine on this machine: a round trip, and a one-row INSERT committed (one
 * WAL flush) inside BEGIN … COMMIT. Measured between the lifecycles, so that both see the same load (the
 * machines are shared and noisy: compare ratios, not absolute figures).
 */
class Floor {
  private readonly roundTrip: number[] = [];
  private readonly transaction: number[] = [];

  private constructor(private readonly client: pg.Client, private readonly table: string) {}

  static async open(url: string, schema: string): Promise<Floor> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE TABLE ${schema}.floor (id bigserial PRIMARY KEY, payload text)`);
    return new Floor(client, `${schema}.floor`);
  }

  async sample(): Promise<void> {
    let start = performance.now();
    await this.client.query('SELECT 1');
    this.roundTrip.push(performance.now() - start);
    start = performance.now();
    await this.client.query('BEGIN');
    await this.client.query(`INSERT INTO ${this.table} (payload) VALUES ($1)`, ['x'.repeat(100)]);
    await this.client.query('COMMIT');
    this.transaction.push(performance.now() - start);
  }

  print(): void {
    console.log(`| floor: SELECT 1 | 1 | ${percentile(this.roundTrip, 50).toFixed(3)} | ${percentile(this.roundTrip, 99).toFixed(3)} |`);
    console.log(`| floor: BEGIN, INSERT, COMMIT | 3 | ${percentile(this.transaction, 50).toFixed(3)} | ${percentile(this.transaction, 99).toFixed(3)} |`);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/**
 * Batches, as a busy worker makes them: a claim of 50 instances, their 50 commits made in one event-loop
 * turn (group commit: one call), a claim of their 50 tasks and the 50 results made in one turn. Round trips
 * do not grow with the batch.
 */
async function printBatches(backend: Backend): Promise<void> {
  const BATCH = 50;
  const ROUNDS = 20;
  const phases = ['claim of 50 instances', 'commit of 50 steps in one turn', 'claim of 50 tasks', 'completion of 50 tasks in one turn'] as const;
  const durations = new Map<string, number[]>(phases.map((phase) => [phase, []]));
  const trips = new Map<string, number>(phases.map((phase) => [phase, 0]));
  const timed = async <T>(phase: (typeof phases)[number], work: () => Promise<T>): Promise<T> => {
    const before = roundTrips();
    const start = performance.now();
    const result = await work();
    durations.get(phase)!.push(performance.now() - start);
    trips.set(phase, trips.get(phase)! + roundTrips() - before);
    return result;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < BATCH; i++) {
      const executionId = randomUUID();
      const startEvent = { type: 'ExecutionStarted' as const, eventId: -1, timestamp: TIMESTAMP, name: 'Hello', executionId };
      await backend.createInstance('batch', { instanceId: randomUUID(), executionId, name: 'Hello', startEvent });
    }
    const items = await timed(phases[0], () => backend.claimOrchestrations('batch', { workerId: 'bench', max: BATCH, leaseMs: 60_000 }));
    if (items.length !== BATCH) throw new Error(`claimed ${items.length} of ${BATCH}`);
    const committed = await timed(phases[1], () => Promise.all(items.map((item) => backend.commitOrchestration('batch', item, {
      instance: { status: 'Running' },
      ops: [
        { op: 'appendHistory', events: [event('OrchestratorStarted'), ...item.messages.map((m) => m.event), event('TaskScheduled', { eventId: 0, name: 'SayHello' }), event('OrchestratorCompleted')] },
        { op: 'deleteMessages', ids: item.messages.map((m) => m.id) },
        { op: 'insertTasks', tasks: [{ taskId: 0, name: 'SayHello', input: '"Tokyo"' }] },
      ],
    }))));
    if (!committed.every((outcome) => outcome.ok)) throw new Error('a commit of the batch was refused');
    const tasks = await timed(phases[2], () => backend.claimActivities('batch', { workerId: 'bench', max: BATCH, leaseMs: 60_000 }));
    if (tasks.length !== BATCH) throw new Error(`claimed ${tasks.length} tasks of ${BATCH}`);
    const completed = await timed(phases[3], () => Promise.all(tasks.map((task) => backend.completeActivity('batch', task, {
      instanceId: task.instanceId, executionId: task.executionId,
      event: { type: 'TaskCompleted', eventId: -1, timestamp: TIMESTAMP, taskScheduledId: 0, result: '"Hello Tokyo"' },
    }))));
    if (!completed.every((outcome) => outcome.ok)) throw new Error('a completion of the batch was refused');
    await backend.deleteHub('batch');
  }
  for (const phase of phases) {
    console.log(`| ${phase} | ${(trips.get(phase)! / ROUNDS).toFixed(2)} | ${percentile(durations.get(phase)!, 50).toFixed(3)} | |`);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const instances = Number(args.instances);
  const concurrency = Number(args.concurrency);
  const schema = `taskhub_bench_${randomBytes(4).toString('hex')}`;
  const backend = new PostgresBackend({ connectionString: args.url, schema, poolSize: Number(args.pool) });
  try {
    await backend.migrate();
    for (let i = 0; i < 50; i++) await lifecycle(backend, 'warmup', false);

    // Sequential: one call at a time, so every call's round trips and latency are its own.
    const floor = await Floor.open(args.url, schema);
    for (let i = 0; i < instances; i++) {
      await lifecycle(backend, 'sequential', true);
      await floor.sample();
    }
    await floor.close();
    console.log(`PostgreSQL store, ${instances} one-activity lifecycles one after another (schema ${schema}):`);
    console.log('| call | round trips | median ms | p99 ms |');
    console.log('|---|---|---|---|');
    let totalTrips = 0;
    let totalMedian = 0;
    for (const op of OPERATIONS) {
      const list = samples.get(op)!;
      const trips = list.reduce((sum, s) => sum + s.roundTrips, 0) / list.length;
      const median = percentile(list.map((s) => s.ms), 50);
      totalTrips += trips;
      totalMedian += median;
      console.log(`| ${op} | ${trips.toFixed(2)} | ${median.toFixed(3)} | ${percentile(list.map((s) => s.ms), 99).toFixed(3)} |`);
    }
    console.log(`| whole lifecycle | ${totalTrips.toFixed(2)} | ${totalMedian.toFixed(3)} | |`);

    floor.print();
    await printBatches(backend);

    // Concurrent: `concurrency` lifecycles at a time through one pool.
    const started = performance.now();
    const before = roundTrips();
    let next = 0;
    // A hub per loop, so that each loop's claims find its own instance at the stage it expects.
    await Promise.all(Array.from({ length: concurrency }, async (_, loop) => {
      while (next++ < instances) await lifecycle(backend, `concurrent-${loop}`, false);
    }));
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n${instances} lifecycles, ${concurrency} at a time, pool ${args.pool}: ${seconds.toFixed(2)} s, ` +
      `${(instances / seconds).toFixed(0)} lifecycles/s, ${((instances * 3) / seconds).toFixed(0)} orchestration steps/s, ` +
      `${((roundTrips() - before) / instances).toFixed(1)} round trips per lifecycle (empty claims included)`);
  } finally {
    await backend.close();
    const admin = new pg.Client({ connectionString: args.url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

await main();
