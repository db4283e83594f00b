/**
 * The measuring protocol of every engine in `npm run bench:compare` (bench/peers/workloads.mjs is the same
 * for the peers): 20 hello + 2 fan-out warm-up, sequential hellos (median, p99 by nearest rank), N hellos
 * started at once (wall time to the last checked output), sequential fan-out(100), then 10,000 hellos in
 * flight at once (throughput, and the peak RSS the engine reports around it). An engine supplies only "run
 * one orchestration to its output".
 */
import { writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';

export const CITIES = ['Tokyo', 'Seattle', 'London'];
export const FAN_OUT_N = 100;
const EXPECTED_HELLO = JSON.stringify(CITIES.map((c) => `Hello ${c}`));
const EXPECTED_FAN_OUT = String((FAN_OUT_N * (FAN_OUT_N + 1)) / 2);

export interface Counts {
  latency: number;
  throughput: number;
  fanouts: number;
  inFlight: number;
}

export interface BenchEngine {
  /** Starts a hello sequence durably and resolves to its output once it finished. */
  hello(cities: string[]): Promise<unknown>;
  fanOut(n: number): Promise<unknown>;
  /** Called, untimed, before `count` orchestrations are started at once (HTTP engines open their connections). */
  beforeBurst?(count: number): Promise<void>;
  /** The store round trips made so far by this process, where they can be counted (PostgreSQL in process). */
  roundTrips?(): number;
}

/** One engine's figures, as the report (bench/report.ts) reads them. */
export interface BenchResult {
  engine: string;
  transport: 'in process' | 'HTTP';
  detail: string;
  helloP50Ms: number;
  helloP99Ms: number;
  throughputCount: number;
  throughputPerSecond: number;
  fanOutP50Ms: number;
  fanOutMaxMs: number;
  inFlightCount: number;
  inFlightPerSecond: number;
  /**
   * Store round trips per sequential hello, over the latency phase: every query of the process (the
   * worker's claims, commits and polls and the client's calls), where the engine counts them.
   */
  helloRoundTrips?: number;
  /** Peak resident memory of each process of the engine, in MB. */
  peakRss: { process: string; megabytes: number }[];
}

export const COUNT_OPTIONS = {
  latency: { type: 'string', default: '200' },
  throughput: { type: 'string', default: '2000' },
  fanouts: { type: 'string', default: '20' },
  'in-flight': { type: 'string', default: '10000' },
  json: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function countsOf(values: { latency: string; throughput: string; fanouts: string; 'in-flight': string }): Counts {
  return { latency: Number(values.latency), throughput: Number(values.throughput), fanouts: Number(values.fanouts), inFlight: Number(values['in-flight']) };
}

export type Figures = Omit<BenchResult, 'engine' | 'transport' | 'detail' | 'peakRss'>;

export async function runWorkloads(engine: BenchEngine, counts: Counts): Promise<Figures> {
  const timed = async (run: () => Promise<unknown>, expected: string) => {
    const started = performance.now();
    const output = await run();
    const elapsed = performance.now() - started;
    check(output, expected);
    return elapsed;
  };
  const hello = () => timed(() => engine.hello(CITIES), EXPECTED_HELLO);
  const fanOut = () => timed(() => engine.fanOut(FAN_OUT_N), EXPECTED_FAN_OUT);
  const atOnce = async (count: number) => {
    await engine.beforeBurst?.(count);
    const started = performance.now();
    const outputs = await Promise.all(Array.from({ length: count }, () => engine.hello(CITIES)));
    const elapsed = performance.now() - started;
    for (const output of outputs) check(output, EXPECTED_HELLO);
    return (count / elapsed) * 1000;
  };

  for (let i = 0; i < 20; i++) await hello();
  for (let i = 0; i < 2; i++) await fanOut();
  const latencies: number[] = [];
  const roundTripsBefore = engine.roundTrips?.();
  for (let i = 0; i < counts.latency; i++) latencies.push(await hello());
  const roundTripsAfter = engine.roundTrips?.();
  const throughputPerSecond = await atOnce(counts.throughput);
  const fanOuts: number[] = [];
  for (let i = 0; i < counts.fanouts; i++) fanOuts.push(await fanOut());
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
    ...(roundTripsBefore !== undefined && roundTripsAfter !== undefined ? { helloRoundTrips: (roundTripsAfter - roundTripsBefore) / counts.latency } : {}),
  };
}

/** Prints the engine's table and, with `--json FILE`, writes its figures for the report. */
export function report(result: BenchResult, json: string | undefined): void {
  const rows: [string, string][] = [
    ['engine', `${result.engine} (${result.transport}; ${result.detail})`],
    ['hello latency median', `${result.helloP50Ms.toFixed(2)} ms`],
    ['hello latency p99', `${result.helloP99Ms.toFixed(2)} ms`],
    [`throughput, ${result.throughputCount} at once`, `${result.throughputPerSecond.toFixed(0)} orchestrations/s`],
    ['fan-out 100 median', `${result.fanOutP50Ms.toFixed(1)} ms`],
    ['fan-out 100 max', `${result.fanOutMaxMs.toFixed(1)} ms`],
    [`throughput, ${result.inFlightCount} in flight`, `${result.inFlightPerSecond.toFixed(0)} orchestrations/s`],
    ...(result.helloRoundTrips === undefined ? [] : [['store round trips per hello', result.helloRoundTrips.toFixed(2)] as [string, string]]),
    ['peak RSS', result.peakRss.map((p) => `${p.megabytes.toFixed(0)} MB ${p.process}`).join(' + ')],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
}

/** CPU time this process has used so far (user + system), in seconds. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** This process's peak resident memory so far (the kernel's high-water mark), in MB. */
export function ownPeakRssMegabytes(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function check(output: unknown, expected: string): void {
  if (JSON.stringify(output) !== expected) throw new Error(`orchestration returned ${JSON.stringify(output)}, expected ${expected}`);
}

/** Nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
