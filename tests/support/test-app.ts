/**
 * Orchestrations for fault tests: chains and fan-outs of an activity that takes a configurable time and
 * records every execution (with its idempotency key) in a ledger file, so tests can count re-runs.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry, Task, defineActivity, defineOrchestrator, type OrchestrationContext } from '../../src/index.js';
import { registry as demoRegistry } from '../../examples/demo-app.js';

export interface SlowEchoInput {
  value: number;
  delayMs: number;
}

export const slowEcho = defineActivity('SlowEcho', async (input: SlowEchoInput, context) => {
  const ledger = process.env.TASKHUB_TEST_LEDGER;
  if (ledger) appendFileSync(ledger, `start ${context.idempotencyKey} ${context.attempt}\n`);
  await delay(input.delayMs);
  if (ledger) appendFileSync(ledger, `done ${context.idempotencyKey} ${context.attempt}\n`);
  return input.value;
});

export const chain = defineOrchestrator('Chain', function* (context: OrchestrationContext, input: { steps: number; delayMs: number }) {
  let sum = 0;
  for (let i = 1; i <= input.steps; i++) sum += yield* context.callActivity(slowEcho, { value: i, delayMs: input.delayMs });
  return sum;
});

export const fan = defineOrchestrator('Fan', function* (context: OrchestrationContext, input: { width: number; delayMs: number }) {
  const tasks = Array.from({ length: input.width }, (_, i) => context.callActivity(slowEcho, { value: i + 1, delayMs: input.delayMs }));
  const values = yield* Task.all(tasks);
  return values.reduce((a, b) => a + b, 0);
});

/** A parent whose child waits for an approval that never comes: for recursive termination. */
export const parentOfApprovals = defineOrchestrator('ParentOfApprovals', function* (context: OrchestrationContext) {
  return yield* context.callSubOrchestrator('Approval', { timeoutSeconds: 600 });
});

/** An activity that blocks the event loop for ever once it has awaited: no timer can stop it. */
export const busyAfterAwait = defineActivity('BusyAfterAwait', async () => {
  await delay(10);
  for (;;) {
    // Blocks the whole process.
  }
});

export const blocksTheEventLoop = defineOrchestrator('BlocksTheEventLoop', function* (context: OrchestrationContext) {
  return yield* context.callActivity(busyAfterAwait);
});

/** A durable timer computed from Date.now(), which in orchestrator code is the step's time, not the machine's. */
export const clockedTimer = defineOrchestrator('ClockedTimer', function* (context: OrchestrationContext, input: { delayMs: number }) {
  const fireAt = new Date(Date.now() + input.delayMs);
  yield context.createTimer(fireAt);
  return fireAt.toISOString();
});

export function testRegistry(): Registry {
  const registry = new Registry().add(slowEcho, chain, fan, parentOfApprovals, busyAfterAwait, blocksTheEventLoop, clockedTimer);
  for (const name of demoRegistry.orchestratorNames()) registry.orchestrator(name, demoRegistry.getOrchestrator(name)!);
  for (const name of demoRegistry.activityNames()) registry.activity(name, demoRegistry.getActivity(name)!);
  return registry;
}
