/**
 * Type-level tests, checked by `tsc -p .` (nothing here runs): callActivity and callSubOrchestrator carry
 * the input and output types of definitions made with defineActivity/defineOrchestrator. If those types
 * fell back to `any`, the `@ts-expect-error` lines would stop being errors and the `Exactly` checks would
 * fail, so the build would break.
 */
import { defineActivity, defineOrchestrator, type OrchestrationContext } from '../../src/index.js';

/** true only when A and B are the same type; `any` is the same only as `any`. */
type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

const sayHello = defineActivity('SayHello', (city: string) => `Hello ${city}!`);
const lookUp = defineActivity('LookUp', async (order: { id: number }) => ({ id: order.id, total: 12.5 }));

const child = defineOrchestrator('Child', function* (context: OrchestrationContext, input: { city: string }) {
  const greeting = yield* context.callActivity(sayHello, input.city);
  return greeting.length;
});

export const typedParent = defineOrchestrator('TypedParent', function* (context: OrchestrationContext) {
  const greeting = yield* context.callActivity(sayHello, 'Tokyo');
  const _greetingIsString: Exactly<typeof greeting, string> = true;
  // An async activity's output is what its promise resolves to.
  const order = yield* context.callActivity(lookUp, { id: 7 });
  const _orderIsResolved: Exactly<typeof order, { id: number; total: number }> = true;
  const retried = yield* context.callActivityWithRetry(sayHello, { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 }, 'Oslo');
  const _retriedIsString: Exactly<typeof retried, string> = true;
  const length = yield* context.callSubOrchestrator(child, { city: 'Seattle' }, 'child-1');
  const _lengthIsNumber: Exactly<typeof length, number> = true;

  // @ts-expect-error -- SayHello takes a string
  yield* context.callActivity(sayHello, 42);
  // @ts-expect-error -- LookUp takes { id: number }
  yield* context.callActivity(lookUp, { id: '7' });
  // @ts-expect-error -- SayHello returns a string
  const _wrongOutput: number = yield* context.callActivity(sayHello, 'London');
  // @ts-expect-error -- the retry form checks the input too
  yield* context.callActivityWithRetry(sayHello, { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 }, ['Oslo']);
  // @ts-expect-error -- Child takes { city: string }
  yield* context.callSubOrchestrator(child, { town: 'Seattle' });
  // @ts-expect-error -- Child returns a number
  const _wrongChildOutput: string = yield* context.callSubOrchestrator(child, { city: 'Seattle' });

  // By name, calls stay untyped, as in Durable Functions JS.
  const _byName = yield* context.callActivity('SayHello', 42);
  const _byNameIsAny: Exactly<typeof _byName, any> = true; // eslint-disable-line @typescript-eslint/no-explicit-any
  return [greeting, order.total, retried, length];
});
