/**
 * The demo app (S-DEMO in docs/reliability.md): the seed's samples and a few more, used by the tests, the docs and
 * `npm start`. A module given to `taskhub serve` exports its Registry as `registry`.
 */
import { Registry, Task, defineActivity, defineOrchestrator, type OrchestrationContext } from '../src/index.js';

export const sayHello = defineActivity('E1_SayHello', (name: string) => `Hello ${name}!`);

export const helloSequence = defineOrchestrator('E1_HelloSequence', function* (context: OrchestrationContext) {
  const outputs: string[] = [];
  outputs.push(yield* context.callActivity(sayHello, 'Tokyo'));
  outputs.push(yield* context.callActivity(sayHello, 'Seattle'));
  outputs.push(yield* context.callActivity(sayHello, 'London'));
  return outputs;
});

export const helloWorld = defineOrchestrator('HelloWorld', function* (context: OrchestrationContext, name?: string) {
  return yield* context.callActivity(sayHello, name ?? 'World');
});

export const sleep = defineOrchestrator('Sleep', function* (context: OrchestrationContext, seconds?: number) {
  const fireAt = new Date(context.currentUtcDateTime.getTime() + (seconds ?? 1) * 1000);
  yield* context.createTimer(fireAt);
  return 'done';
});

export const approval = defineOrchestrator('Approval', function* (context: OrchestrationContext, input?: { timeoutSeconds?: number }) {
  context.setCustomStatus('waiting-for-approval');
  const deadline = new Date(context.currentUtcDateTime.getTime() + (input?.timeoutSeconds ?? 60) * 1000);
  const timeout = context.createTimer(deadline);
  const approved = context.waitForExternalEvent<unknown>('Approval');
  const winner = yield* Task.any([approved, timeout]);
  if (winner === approved) {
    timeout.cancel();
    return { outcome: 'approved', data: approved.result ?? null };
  }
  return { outcome: 'timeout' };
});

/** Keeps its own tags (docs/instance-management.md, Tags): a stage while it waits for 'Paid', then the outcome. */
export const taggedOrder = defineOrchestrator('TaggedOrder', function* (context: OrchestrationContext) {
  context.setTag('stage', 'awaiting-payment');
  context.setCustomStatus('awaiting-payment');
  const payment = yield* context.waitForExternalEvent<unknown>('Paid');
  context.removeTag('stage');
  context.setTag('paid', 'yes');
  return { outcome: 'paid', payment: payment ?? null };
});

export const counter = defineOrchestrator('Counter', function* (context: OrchestrationContext, input?: { total?: number }) {
  const total = input?.total ?? 0;
  context.setCustomStatus(total);
  const add = context.waitForExternalEvent<number>('Add');
  const stop = context.waitForExternalEvent<unknown>('Stop');
  const winner = yield* Task.any([add, stop]);
  if (winner === add) {
    context.continueAsNew({ total: total + Number(add.result ?? 0) }, { preserveUnprocessedEvents: true });
    return total;
  }
  return total;
});

export const square = defineActivity('Square', (i: number) => i * i);

export const fanOutFanIn = defineOrchestrator('FanOutFanIn', function* (context: OrchestrationContext, n?: number) {
  const count = n ?? 10;
  const tasks = Array.from({ length: count }, (_, i) => context.callActivity(square, i + 1));
  const squares = yield* Task.all(tasks);
  return squares.reduce((sum, value) => sum + value, 0);
});

export const parentOfChildren = defineOrchestrator('ParentOfChildren', function* (context: OrchestrationContext) {
  const tokyo = yield* context.callSubOrchestrator(helloWorld, 'Tokyo');
  const seattle = yield* context.callSubOrchestrator(helloWorld, 'Seattle');
  return [tokyo, seattle];
});

/** Instances for which FailsFirstTime already failed in this process. */
const failedOnce = new Set<string>();

export const failsFirstTime = defineActivity('FailsFirstTime', (_input: unknown, context) => {
  if (!failedOnce.has(context.instanceId)) {
    failedOnce.add(context.instanceId);
    throw new Error('Simulated failure');
  }
  return 'recovered';
});

export const flakyOnce = defineOrchestrator('FlakyOnce', function* (context: OrchestrationContext) {
  return yield* context.callActivity(failsFirstTime);
});

/** Its activity fails the first time; the retry policy tries again after a short durable timer. */
export const flakyWithRetry = defineOrchestrator('FlakyWithRetry', function* (context: OrchestrationContext) {
  return yield* context.callActivityWithRetry(failsFirstTime, { firstRetryIntervalInMilliseconds: 200, maxNumberOfAttempts: 3 });
});

export const boom = defineActivity('Boom', () => {
  throw new Error('boom');
});

export const alwaysFails = defineOrchestrator('AlwaysFails', function* (context: OrchestrationContext) {
  return yield* context.callActivity(boom);
});

export const registry = new Registry().add(
  sayHello,
  helloSequence,
  helloWorld,
  sleep,
  approval,
  taggedOrder,
  counter,
  square,
  fanOutFanIn,
  parentOfChildren,
  failsFirstTime,
  flakyOnce,
  flakyWithRetry,
  boom,
  alwaysFails,
);
