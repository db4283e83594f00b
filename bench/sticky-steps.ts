/**
 * Per-step cost against history length, with and without sticky execution (docs/adr/0028):
 *   node dist/bench/sticky-steps.js [--store sqlite|postgres] [--samples N]
 * One instance waits for events in a loop; its history is grown to each length by raised events, then each
 * sample raises one event and times it until the worker has committed the step it readies (the worker's
 * onStepCommitted), once with the default cache and once with maxCachedInstances: 0. Medians in ms.
 */
import { parseArgs } from 'node:util';
import { createTaskHub, defineOrchestrator, Registry, type OrchestrationContext, type StepAuditRecord } from '../src/index.js';
import { openBenchStore } from './store.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    samples: { type: 'string', default: '40' },
  },
});
const SAMPLES = Number(args.samples);
const LENGTHS = [30, 1000, 3000, 6000];
process.env.TASKHUB_LOG_LEVEL ??= 'warn';

const ticker = defineOrchestrator('Ticker', function* (context: OrchestrationContext) {
  for (;;) yield* context.waitForExternalEvent('tick');
});

/** Per history length: the median of the whole step, and of its part in the worker (claim returned → commit sent). */
async function measure(maxCachedInstances: number | undefined): Promise<[number, number][]> {
  const store = openBenchStore(args.store);
  let committed: ((record: StepAuditRecord) => void) | undefined;
  const taskHub = await createTaskHub({
    storage: store.storage,
    hub: 'sticky',
    registry: new Registry().add(ticker),
    worker: { ...(maxCachedInstances === undefined ? {} : { maxCachedInstances }), onStepCommitted: (record) => committed?.(record) },
  });
  const { client, backend } = taskHub;
  const step = async (id: string, events: number): Promise<StepAuditRecord> => {
    const done = new Promise<StepAuditRecord>((resolve) => (committed = resolve));
    await Promise.all(Array.from({ length: events }, () => client.raiseEvent(id, 'tick')));
    return done;
  };
  const medians: [number, number][] = [];
  try {
    const id = await client.startNew('Ticker');
    let length = 0;
    for (const target of LENGTHS) {
      // Grown in steps of up to 50 events each (each event adds one, each step two more).
      while (length < target) {
        await step(id, Math.min(50, Math.ceil((target - length) / 3)));
        length = (await backend.getHistory('sticky', id)).length;
      }
      const times: number[] = [];
      const inWorker: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        const record = await step(id, 1);
        times.push(performance.now() - started);
        inWorker.push(record.committingAt - record.startedAt);
      }
      length += 3 * SAMPLES;
      medians.push([median(times), median(inWorker)]);
    }
  } finally {
    await taskHub.close();
    await store.cleanup();
  }
  return medians;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const cached = await measure(undefined);
const replayed = await measure(0);
const ms = ([whole, inWorker]: [number, number]) => `${whole.toFixed(2)} ms (${inWorker.toFixed(0)} ms)`;
console.log(`per-step time, raise an event → its step committed (in the worker: claim returned → commit sent), median of ${SAMPLES}, ${args.store}:`);
console.log('| history events | sticky (default cache) | replay (maxCachedInstances: 0) |');
console.log('|---:|---:|---:|');
LENGTHS.forEach((length, i) => console.log(`| ~${length} | ${ms(cached[i]!)} | ${ms(replayed[i]!)} |`));
