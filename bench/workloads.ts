/** The benchmark workloads (docs/benchmarks.md), identical to the ones the peers run (bench/peers). */
import { Registry, Task, defineActivity, defineOrchestrator, type OrchestrationContext } from '../src/index.js';

export const CITIES = ['Tokyo', 'Seattle', 'London'];

const greet = defineActivity('BenchGreet', (city: string) => `Hello ${city}`);
const identity = defineActivity('BenchIdentity', (i: number) => i);

export const helloSequence = defineOrchestrator('BenchHelloSequence', function* (context: OrchestrationContext, cities: string[]) {
  const results: string[] = [];
  for (const city of cities) results.push(yield* context.callActivity(greet, city));
  return results;
});

export const fanOut = defineOrchestrator('BenchFanOut', function* (context: OrchestrationContext, n: number) {
  const values = yield* Task.all(Array.from({ length: n }, (_, i) => context.callActivity(identity, i + 1)));
  return values.reduce((a, b) => a + b, 0);
});

export const benchRegistry = new Registry().add(greet, identity, helloSequence, fanOut);
