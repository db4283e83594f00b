/**
 * bench/measure.ts for the peers: the same warm-up, the same workloads in the same order, the same
 * percentiles, table rows and JSON figures — its own code, built into dist by bench/compare.sh before the
 * peers run. Each peer supplies only how to start an orchestration and get its result in hand.
 */
import { parseArgs } from 'node:util';
import { COUNT_OPTIONS, countsOf, runWorkloads as runMeasured } from '../../dist/bench/measure.js';

export { ownPeakRssMegabytes, report } from '../../dist/bench/measure.js';

/** The flags of bench/run.ts that apply to every engine, and `--transport` (a peer's own choice). */
export function parseCounts() {
  const { values } = parseArgs({ options: { ...COUNT_OPTIONS, transport: { type: 'string', default: 'in-process' } } });
  return { counts: countsOf(values), json: values.json, transport: values.transport };
}

/**
 * Runs the workloads of bench/measure.ts and returns its figures.
 * `engine.startHello(cities)` and `engine.startFanOut(n)` start one orchestration durably and resolve to
 * something `engine.result(started)` turns into the orchestration's output once it has finished;
 * `engine.beforeBurst(count)`, optional, runs untimed before `count` are started at once.
 */
export function runWorkloads(engine, counts) {
  return runMeasured(
    {
      hello: async (cities) => engine.result(await engine.startHello(cities)),
      fanOut: async (n) => engine.result(await engine.startFanOut(n)),
      beforeBurst: engine.beforeBurst && ((count) => engine.beforeBurst(count)),
    },
    counts,
  );
}
