/**
 * bench/measure.ts for the peers: the same warm-up, the same workloads in the same order, the same
 * percentiles, table rows and JSON figures. Each peer supplies only how to start an orchestration and get
 * its result in hand.
 */
import { parseArgs } from 'node:util';

export const CITIES = ['Tokyo', 'Seattle', 'London'];
export const FAN_OUT_N = 100;
const EXPECTED_HELLO = JSON.stringify(CITIES.map((c) => `Hello ${c}`));
const EXPECTED_FAN_OUT = String((FAN_OUT_N * (FAN_OUT_N + 1)) / 2);

/** The flags of bench/run.ts that apply to every engine, and `--json FILE` for the report. */
export function parseCounts() {
  const { values } = parseArgs({
    options: {
      latency: { type: 'string', default: '200' },
      throughput: { type: 'string', default: '2000' },
      fanouts: { type: 'string', default: '20' },
      'in-flight': { type: 'string', default: '10000' },
      json: { type: 'string' },
      transport: { type: 'string', default: 'in-process' },
    },
  });
  return {
    counts: { latency: Number(values.latency), throughput: Number(values.throughput), fanouts: Number(values.fanouts), inFlight: Number(values['in-flight']) },
    json: values.json,
    transport: values.transport,
  };
}

/** This process's peak resident memory so far (the kernel's high-water mark), in MB. */
export function ownPeakRssMegabytes() {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Runs the workloads of bench/measure.ts and returns its figures.
 * `engine.startHello(cities)` and `engine.startFanOut(n)` start one orchestration durably and resolve to
 * something `engine.result(started)` turns into the orchestration's output once it has finished;
 * `engine.beforeBurst(count)`, optional, runs untimed before `count` are started at once.
 */
export async function runWorkloads(engine, counts) {
  const run = async (start, expected) => {
    const started = performance.now();
    const output = await engine.result(await start());
    const elapsed = performance.now() - started;
    check(output, expected);
    return elapsed;
  };
  const runHello = () => run(() => engine.startHello(CITIES), EXPECTED_HELLO);
  const runFanOut = () => run(() => engine.startFanOut(FAN_OUT_N), EXPECTED_FAN_OUT);
  const atOnce = async (count) => {
    await engine.beforeBurst?.(count);
    const started = performance.now();
    const outputs = await Promise.all(Array.from({ length: count }, async () => engine.result(await engine.startHello(CITIES))));
    const elapsed = performance.now() - started;
    for (const output of outputs) check(output, EXPECTED_HELLO);
    return (count / elapsed) * 1000;
  };

  for (let i = 0; i < 20; i++) await runHello();
  for (let i = 0; i < 2; i++) await runFanOut();
  const latencies = [];
  for (let i = 0; i < counts.latency; i++) latencies.push(await runHello());
  const throughputPerSecond = await atOnce(counts.throughput);
  const fanOuts = [];
  for (let i = 0; i < counts.fanouts; i++) fanOuts.push(await runFanOut());
  const inFlightPerSecond = counts.inFlight > 0 ? await atOnce(counts.inFlight) : Number.NaN;
  return {
    helloP50Ms: percentile(latencies, 50),
    helloP99Ms: percentile(latencies, 99),
    throughputCount: counts.throughput,
    throughputPerSecond,
    fanOutP50Ms: percentile(fanOuts, 50),
    fanOutMaxMs: Math.max(...fanOuts),
    inFlightCount: counts.inFlight,
    inFlightPerSecond,
  };
}

/** The engine's table and its JSON figures, printed exactly as taskhub's (bench/compare.sh builds dist first). */
export { report } from '../../dist/bench/measure.js';

function check(output, expected) {
  if (JSON.stringify(output) !== expected) throw new Error(`orchestration returned ${JSON.stringify(output)}, expected ${expected}`);
}

/** Nearest rank, as bench/measure.ts. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
