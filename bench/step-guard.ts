/**
 * What the step guard (ADR 0018) costs per orchestration step: the four steps of a hello sequence planned
 * as the worker plans them (planOrchestrationStep), bare and under StepGuard, one step per guarded run
 * (the latency path: each step handed over alone) and 50 per run (a full claim batch); then the
 * distribution of one step's wall time, bare and guarded alone (a guarded run waits for its watchdog
 * thread to start and to be joined, which a machine with busy cores makes wait for the scheduler).
 *   node dist/bench/step-guard.js [--rounds N]
 */
import { parseArgs } from 'node:util';
import type { HistoryEvent, InboxEvent } from '../src/core/history.js';
import { planOrchestrationStep, type StepDependencies, type StepItem } from '../src/runtime/orchestration-step.js';
import { StepGuard } from '../src/runtime/step-guard.js';
import { benchRegistry, CITIES } from './workloads.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '2000' } } });
const rounds = Number(args.rounds);
const PASSES = 5;

const deps: StepDependencies = {
  resolveOrchestrator: (name) => benchRegistry.getOrchestrator(name),
  maxPayloadBytes: 256 * 1024,
  newExecutionId: () => 'execution',
};

/** The work items of a hello sequence's four steps, each with the history the step before committed. */
function helloSteps(): StepItem[] {
  const items: StepItem[] = [];
  let history: HistoryEvent[] = [];
  const claimedAt = Date.parse('2026-01-01T00:00:00Z');
  let inbox: InboxEvent[] = [{ type: 'ExecutionStarted', eventId: -1, timestamp: new Date(claimedAt).toISOString(), name: 'BenchHelloSequence', executionId: 'execution', input: JSON.stringify(CITIES) }];
  for (let step = 0; step <= CITIES.length; step++) {
    const item: StepItem = {
      instance: { instanceId: 'hello', name: 'BenchHelloSequence', executionId: 'execution', status: step === 0 ? 'Pending' : 'Running', createdAt: claimedAt, lastUpdatedAt: claimedAt },
      history,
      historyLength: history.length,
      messages: inbox.map((event, index) => ({ id: String(index), event })),
      lockToken: 'token',
      claimedAt: claimedAt + step,
      failedAttempts: 0,
    };
    items.push(item);
    const decision = planOrchestrationStep(item, deps);
    if (decision.kind !== 'commit') throw new Error('a hello step did not commit');
    history = [...history, ...decision.commit.ops.flatMap((op) => (op.op === 'appendHistory' ? op.events : []))];
    inbox = [{ type: 'TaskCompleted', eventId: -1, timestamp: new Date(claimedAt).toISOString(), taskScheduledId: step, result: JSON.stringify(`Hello ${CITIES[step]}`) }];
  }
  return items;
}

/** Microseconds per step of `run` (which plans `steps` steps), timed over `rounds` calls. */
function microsecondsPerStep(steps: number, run: () => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) run();
  return Number(process.hrtime.bigint() - started) / 1000 / rounds / steps;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const steps = helloSteps();
const guard = new StepGuard(10_000);
const plan = (item: StepItem) => planOrchestrationStep(item, deps);
const batch = Array.from({ length: 50 }, (_, i) => steps[i % steps.length]!);
const variants: [string, number, () => void][] = [
  ['bare', steps.length, () => steps.forEach(plan)],
  ['guarded, one step per run', steps.length, () => steps.forEach((item) => guard.runEach([item], plan))],
  ['guarded, 50 steps per run', batch.length, () => guard.runEach(batch, plan)],
];
// Interleaved passes, the first a warm-up; the median of the others is reported.
const samples = variants.map((): number[] => []);
for (let pass = 0; pass <= PASSES; pass++) {
  variants.forEach(([, count, run], index) => {
    const perStep = microsecondsPerStep(count, run);
    if (pass > 0) samples[index]!.push(perStep);
  });
}
const [bare, alone, batched] = samples.map(median) as [number, number, number];
variants.forEach(([label], index) => console.log(`hello steps, ${label.padEnd(28)}${median(samples[index]!).toFixed(1).padStart(8)} µs per step`));
console.log(`guarded minus bare, per step: ${(alone - bare).toFixed(1)} µs one per run, ${(batched - bare).toFixed(1)} µs 50 per run`);

/** Wall time of each single step, bare and guarded alone, interleaved step by step, in µs. */
const single = { bare: [] as number[], guarded: [] as number[] };
for (let i = 0; i < rounds * steps.length; i++) {
  const item = steps[i % steps.length]!;
  let started = process.hrtime.bigint();
  plan(item);
  single.bare.push(Number(process.hrtime.bigint() - started) / 1000);
  started = process.hrtime.bigint();
  guard.runEach([item], plan);
  single.guarded.push(Number(process.hrtime.bigint() - started) / 1000);
}
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
for (const [label, values] of Object.entries(single)) {
  console.log(`one step, ${label.padEnd(8)} p50 ${percentile(values, 0.5).toFixed(1)} µs, p99 ${percentile(values, 0.99).toFixed(1)} µs, max ${percentile(values, 1).toFixed(1)} µs`);
}
