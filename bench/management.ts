/**
 * Instance-management workloads on one store: list a page of 100 with filters, count
 * per status, purge 100k finished instances while orchestrations keep running, and read the status with
 * history of a 10k-event instance.
 *   node dist/bench/management.js [--store sqlite|postgres] [--instances 100000]
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Worker, createTaskHub, silentLogger, type Backend } from '../src/index.js';
import type { HistoryEvent, RuntimeStatus } from '../src/core/history.js';
import { openBenchStore } from './store.js';
import { benchRegistry, CITIES } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '100000' },
  },
});
const HUB = 'bench';
const FINISHED: RuntimeStatus[] = ['Completed', 'Completed', 'Completed', 'Failed', 'Terminated'];

async function main(): Promise<void> {
  const { storage, cleanup, label } = openBenchStore(args.store);
  const taskHub = await createTaskHub({ storage, hub: HUB, registry: benchRegistry, worker: false });
  const { client, backend } = taskHub;
  try {
    const total = Number(args.instances);
    const seedStarted = performance.now();
    const createdFrom = new Date(await backend.now());
    await seedFinishedInstances(backend, total);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const middle = new Date((createdFrom.getTime() + (await backend.now())) / 2);

    const rows: [string, string][] = [['store', label], [`seeded ${total} finished instances`, `${seedSeconds.toFixed(1)} s`]];
    const time = async (name: string, run: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      samples.sort((a, b) => a - b);
      rows.push([name, `${samples[2]!.toFixed(1)} ms (median of 5)`]);
    };
    await time('list 100: status + created range', () =>
      client.listInstances({ runtimeStatus: ['Failed'], createdTimeFrom: middle, pageSize: 100 }));
    await time('list 100: instance id prefix', () => client.listInstances({ instanceIdPrefix: 'seed-5', pageSize: 100 }));
    await time('list 100: orchestrator name', () => client.listInstances({ name: 'Seeded', pageSize: 100 }));
    let token: string | undefined;
    await time('list 100: next page by continuation token', async () => {
      token = (await client.listInstances({ pageSize: 100, continuationToken: token })).continuationToken;
    });
    await time('count per status (all)', () => client.countInstances());

    const historyId = await seedLongHistory(backend, 10_000);
    await time('status with showHistory, 10k events', () => client.getStatus(historyId, { showHistory: true, showHistoryOutput: true }));

    // The worker starts only now: seeded instances name an orchestrator it does not have.
    const worker = new Worker({ backend, hub: HUB, registry: benchRegistry, logger: silentLogger });
    worker.start();
    const running = Array.from({ length: 100 }, () => client.startNew('BenchHelloSequence', { input: CITIES }));
    const latencies: number[] = [];
    const keepRunning = (async () => {
      const ids = await Promise.all(running);
      for (const id of ids) {
        const started = performance.now();
        await client.waitForCompletion(id, { timeoutInMilliseconds: 120_000, retryIntervalInMilliseconds: 20 });
        latencies.push(performance.now() - started);
      }
    })();
    const purgeStarted = performance.now();
    const { instancesDeleted } = await client.purgeInstanceHistoryBy({ createdTimeFrom: createdFrom });
    rows.push([`purge ${instancesDeleted} finished instances by filter`, `${((performance.now() - purgeStarted) / 1000).toFixed(2)} s`]);
    await keepRunning;
    latencies.sort((a, b) => a - b);
    rows.push(['100 hello sequences during the purge: slowest wait', `${latencies.at(-1)!.toFixed(0)} ms`]);
    await worker.stop();

    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  } finally {
    await taskHub.close();
    await cleanup();
  }
}

/** Creates instances and finishes them with a two-event history, 1,000 per round of claims and commits. */
async function seedFinishedInstances(backend: Backend, total: number): Promise<void> {
  const batch = 1000;
  for (let first = 0; first < total; first += batch) {
    const count = Math.min(batch, total - first);
    await Promise.all(
      Array.from({ length: count }, (_, k) => {
        const instanceId = `seed-${first + k}`;
        const executionId = randomBytes(8).toString('hex');
        const timestamp = new Date().toISOString();
        return backend.createInstance(HUB, {
          instanceId,
          executionId,
          name: 'Seeded',
          input: '{"n":1}',
          startEvent: { type: 'ExecutionStarted', eventId: -1, timestamp, name: 'Seeded', executionId, input: '{"n":1}' },
        });
      }),
    );
    let claimed = 0;
    while (claimed < count) {
      const items = await backend.claimOrchestrations(HUB, { workerId: 'seeder', max: count - claimed, leaseMs: 60_000 });
      claimed += items.length;
      await Promise.all(
        items.map((item, k) => {
          const status = FINISHED[k % FINISHED.length]!;
          const timestamp = new Date().toISOString();
          const events: HistoryEvent[] = [
            ...item.messages.map((m) => m.event),
            status === 'Terminated'
              ? { type: 'ExecutionTerminated', eventId: -1, timestamp, reason: 'seeded' }
              : { type: 'ExecutionCompleted', eventId: -1, timestamp, orchestrationStatus: status === 'Failed' ? 'Failed' : 'Completed', result: '1' },
          ];
          return backend.commitOrchestration(HUB, item, {
            instance: { status, output: '1' },
            ops: [
              { op: 'appendHistory', events },
              { op: 'deleteMessages', ids: item.messages.map((m) => m.id) },
              { op: 'deleteAllMessages' },
              { op: 'dropUnleasedTasks' },
            ],
          });
        }),
      );
    }
  }
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
