/**
 * The orchestrators the golden histories were recorded with. They are the "release N" code: change one
 * only in ways that running instances can replay (the replay test fails otherwise), and record new
 * histories (record-golden.ts) when an orchestrator gains new behaviour.
 */
import type { OrchestrationContext, OrchestratorFunction } from '../../src/core/context.js';
import { Task } from '../../src/core/task.js';

export const orchestrators: Record<string, OrchestratorFunction> = {
  *E1_HelloSequence(ctx: OrchestrationContext) {
    const tokyo: string = yield ctx.callActivity('E1_SayHello', 'Tokyo');
    const seattle: string = yield ctx.callActivity('E1_SayHello', 'Seattle');
    const london: string = yield ctx.callActivity('E1_SayHello', 'London');
    return [tokyo, seattle, london];
  },

  *FanOutFanIn(ctx: OrchestrationContext, n = 10) {
    const squares = [];
    for (let i = 1; i <= n; i++) squares.push(ctx.callActivity<number>('Square', i));
    const results = yield* Task.all(squares);
    return results.reduce((sum, x) => sum + x, 0);
  },

  *Approval(ctx: OrchestrationContext, input: { timeoutSeconds: number }) {
    ctx.setCustomStatus('waiting-for-approval');
    const timer = ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + input.timeoutSeconds * 1000));
    const approval = ctx.waitForExternalEvent('Approval');
    const winner = yield* Task.any([approval, timer]);
    if (winner === approval) {
      timer.cancel();
      return { outcome: 'approved', data: approval.result as unknown };
    }
    return { outcome: 'timeout' };
  },

  *Counter(ctx: OrchestrationContext, input: { total?: number } = {}) {
    const total = input.total ?? 0;
    ctx.setCustomStatus(total);
    const add = ctx.waitForExternalEvent<number>('Add');
    const stop = ctx.waitForExternalEvent('Stop');
    const winner = yield* Task.any([add, stop]);
    if (winner === add) {
      ctx.continueAsNew({ total: total + (add.result ?? 0) }, { preserveUnprocessedEvents: true });
      return undefined;
    }
    return total;
  },

  *ParentOfChildren(ctx: OrchestrationContext) {
    const tokyo: string = yield ctx.callSubOrchestrator('HelloWorld', 'Tokyo');
    const seattle: string = yield ctx.callSubOrchestrator('HelloWorld', 'Seattle');
    return [tokyo, seattle];
  },

  *HelloWorld(ctx: OrchestrationContext, name = 'World') {
    return yield* ctx.callActivity<string>('E1_SayHello', name);
  },

  /** Retries, a caught failure, a timer, an id, an event sent and a custom status: one of everything. */
  *Everything(ctx: OrchestrationContext, orderId: string) {
    const reservation: string = yield ctx.callActivityWithRetry('Reserve', { firstRetryIntervalInMilliseconds: 5000, backoffCoefficient: 2, maxNumberOfAttempts: 3 }, orderId);
    ctx.setCustomStatus({ reservation });
    let invoice: string;
    try {
      invoice = yield ctx.callActivity('Invoice', orderId);
    } catch {
      invoice = 'manual';
    }
    yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 60_000));
    const trackingId = ctx.newGuid();
    ctx.sendEvent('shipping', 'Ship', { orderId, trackingId });
    return { reservation, invoice, trackingId };
  },

  /** Fails in the middle (after a timer), to be rewound. */
  *Pipeline(ctx: OrchestrationContext) {
    const extract = ctx.callActivity<number>('Extract');
    yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 1000));
    const rows = yield* extract;
    return yield* ctx.callActivity<number>('Load', rows);
  },
};
