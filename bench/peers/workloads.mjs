/**
 * The measuring half of bench/run.ts, shared by the peers: the same warm-up, the same three workloads in the
 * same order, the same percentiles and the same table rows. Each peer supplies only how to start an
 * orchestration and get its result in hand.
 */
import { parseArgs } from 'node:util';

export const CITIES = ['Tokyo', 'Seattle', 'London'];
export const FAN_OUT_N = 100;
const EXPECTED_HELLO = JSON.stringify(CITIES.map((c) => `Hello ${c}`));
const EXPECTED_FAN_OUT = String((FAN_OUT_N * (FAN_OUT_N + 1)) / 2);

/** The flags of bench/run.ts that apply to every engine. */
export function parseCounts() {
  const { values } = parseArgs({
    options: {
      latency: { type: 'string', default: '200' },
      throughput: { type: 'string', default: '2000' },
      fanouts: { type: 'string', default: '20' },
    },
  });
  return { latency: Number(values.latency), throughput: Number(values.throughput), fanouts: Number(values.fanouts) };
}

/** Samples this process's RSS every 50 ms, as bench/run.ts does. */
export function trackPeakRss() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/**
 * Runs the workloads of BENCHMARKS.md 1–3 and returns the table rows (without the RSS row, which each peer
 * words for its own processes).
 * `engine.startHello(cities)` and `engine.startFanOut(n)` start one orchestration durably and resolve to
 * something `engine.result(started)` turns into the orchestration's output once it has finished.
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

  for (let i = 0; i < 20; i++) await runHello();
  for (let i = 0; i < 2; i++) await runFanOut();

  const latencies = [];
  for (let i = 0; i < counts.latency; i++) latencies.push(await runHello());

  const throughputStart = performance.now();
  const handles = await Promise.all(Array.from({ length: counts.throughput }, () => engine.startHello(CITIES)));
  const outputs = await Promise.all(handles.map((handle) => engine.result(handle)));
  const throughputMs = performance.now() - throughputStart;
  for (const output of outputs) check(output, EXPECTED_HELLO);

  const fanOuts = [];
  for (let i = 0; i < counts.fanouts; i++) fanOuts.push(await runFanOut());

  return [
    ['hello latency median', `${percentile(latencies, 50).toFixed(2)} ms`],
    ['hello latency p99', `${percentile(latencies, 99).toFixed(2)} ms`],
    [
      `throughput, ${counts.throughput} at once`,
      `${((counts.throughput / throughputMs) * 1000).toFixed(0)} orchestrations/s (${(throughputMs / 1000).toFixed(2)} s)`,
    ],
    ['fan-out 100 median', `${percentile(fanOuts, 50).toFixed(1)} ms`],
    ['fan-out 100 max', `${Math.max(...fanOuts).toFixed(1)} ms`],
  ];
}

export function printTable(rows) {
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
}

export function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function check(output, expected) {
  if (JSON.stringify(output) !== expected) throw new Error(`orchestration returned ${JSON.stringify(output)}, expected ${expected}`);
}

/** Nearest rank, as bench/run.ts. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
