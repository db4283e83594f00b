/**
 * T25: a seeded simulation of the engine over a store, with crashes injected between store calls. A
 * driver plays the worker's part deterministically, one store call at a time (claim, plan the step with
 * the engine, commit; claim an activity, run it, complete it), on a SQLite file with a virtual clock. A
 * Proxy around the backend "crashes" the worker at seeded call indices, before the call or after it (the
 * store changed, the worker never heard): the worker's memory and leases are lost, the clock moves past
 * the leases, and a fresh worker carries on. Some steps stall instead: the worker sits on a planned step
 * past its lease while others go on, then tries to commit it; the fence must refuse every such late commit.
 * An activity's result is also completed with the step it readies (completeActivityWithStep, docs/adr/0029),
 * computed ahead from the driver's belief of the instance, read from the store now or kept from an earlier
 * read (stale once another step committed), at a step time now, behind the lag bound or ahead of the store's
 * clock, sometimes with another worker's claim in between: the store commits the step or falls back to
 * delivering the result, claiming the instance for the driver when asked to; each seed commits such steps,
 * and the fallbacks this driver can reach come up over the seeds.
 * Every instance must complete exactly once with the output it must have and an intact history. The seed decides everything, so a run replays exactly: each seed runs
 * twice and the two traces of store calls must be equal. A failing seed is printed; replay it with
 * TASKHUB_TEST_SEED=<seed> node --test dist/tests/simulation/crash-simulation.test.js.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ActivityStepFallback, ActivityWorkItem, Backend, InstanceRecord, OrchestrationCommit, OrchestrationWorkItem, OutgoingMessage } from '../../src/backend/backend.js';
import { MAX_STEP_TIME_LAG_MS } from '../../src/backend/step-commit.js';
import { SqliteBackend } from '../../src/backend/sqlite/index.js';
import { Registry, TaskHubClient, Task, defineActivity, defineOrchestrator, type OrchestrationContext } from '../../src/index.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../../src/limits.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { claimedStep, planOrchestrationStep, type StepDependencies } from '../../src/runtime/orchestration-step.js';
import { RESULT_MESSAGE_ID, withoutResultMessage } from '../../src/runtime/worker.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { seededRandom } from '../support/seeded-random.js';

const HUB = 'sim';
const LEASE_MS = 10_000;
const START_TIME = Date.parse('2026-01-01T00:00:00Z');
const MAX_STORE_CALLS = 20_000;
const SEEDS = process.env.TASKHUB_TEST_SEED ? [Number(process.env.TASKHUB_TEST_SEED)] : Array.from({ length: 12 }, (_, i) => 1000 + i * 7919);

const double = defineActivity('SimDouble', (value: number) => value * 2);
const chain = defineOrchestrator('SimChain', function* (context: OrchestrationContext, steps: number) {
  let sum = 0;
  for (let i = 1; i <= steps; i++) sum += yield* context.callActivity(double, i);
  return sum;
});
const fan = defineOrchestrator('SimFan', function* (context: OrchestrationContext, width: number) {
  const values = yield* Task.all(Array.from({ length: width }, (_, i) => context.callActivity(double, i + 1)));
  return values.reduce((a, b) => a + b, 0);
});
const parent = defineOrchestrator('SimParent', function* (context: OrchestrationContext) {
  const child = yield* context.callSubOrchestrator(chain, 2);
  return child + 1;
});
const timer = defineOrchestrator('SimTimer', function* (context: OrchestrationContext) {
  yield context.createTimer(new Date(context.currentUtcDateTime.getTime() + 5000));
  return yield* context.callActivity(double, 21);
});
const registry = new Registry().add(double, chain, fan, parent, timer);

/** The instances of every run and the outputs they must end with. */
const PLAN: { id: string; name: string; input?: number; output: number }[] = ['a', 'b'].flatMap((copy) => [
  { id: `chain-3-${copy}`, name: 'SimChain', input: 3, output: 12 },
  { id: `chain-5-${copy}`, name: 'SimChain', input: 5, output: 30 },
  { id: `fan-${copy}`, name: 'SimFan', input: 4, output: 20 },
  { id: `parent-${copy}`, name: 'SimParent', output: 7 },
  { id: `timer-${copy}`, name: 'SimTimer', output: 42 },
]);

class Crash extends Error {}

interface RunResult {
  trace: string[];
  crashes: number;
  lateCommits: number;
  /** completeActivityWithStep's outcomes that came back: 'committed', a fallback reason, or 'lease-lost'. */
  withStep: Map<ActivityStepOutcomeKind, number>;
}

type ActivityStepOutcomeKind = 'committed' | ActivityStepFallback | 'lease-lost';

/** What the driver believes of an instance when it computes a step ahead: as read from the store at some point. */
interface Belief {
  instance: InstanceRecord;
  history: HistoryEvent[];
}

/** One seeded run on a fresh store; throws with the seed in the message when an invariant breaks. */
async function simulate(seed: number): Promise<RunResult> {
  const random = seededRandom(seed);
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-sim-'));
  let now = START_TIME;
  const store = new SqliteBackend({ path: join(directory, 'store.db'), clock: () => now, synchronous: 'normal' });
  const trace: string[] = [];
  let calls = 0;
  let crashes = 0;
  try {
    await store.migrate();
    const client = new TaskHubClient({ backend: store, hub: HUB, registry });
    for (const instance of PLAN) await client.startNew(instance.name, { instanceId: instance.id, input: instance.input });

    // The worker's view of the store: every call counted and traced, some of them crashing the worker.
    const crashing = new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return async (...args: unknown[]) => {
          calls++;
          const roll = random();
          const where = roll < 0.04 ? 'before' : roll < 0.08 ? 'after' : undefined;
          trace.push(`${calls} ${property}${where ? ` crash ${where}` : ''}`);
          if (where === 'before') throw new Crash();
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (where === 'after') throw new Crash();
          return result;
        };
      },
    }) as Backend;

    let executions = 0;
    let worker = 0;
    const stalled: { item: OrchestrationWorkItem; commit: OrchestrationCommit }[] = [];
    let lateCommits = 0;
    const beliefs = new Map<string, Belief>();
    const withStep = new Map<ActivityStepOutcomeKind, number>();
    const deps: StepDependencies = {
      resolveOrchestrator: (name) => registry.getOrchestrator(name),
      maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
      newExecutionId: () => `execution-${seed}-${executions++}`,
    };

    const unfinished = async () => {
      const page = await store.listInstances(HUB, { pageSize: 100, includeInput: false });
      return page.instances.filter((instance) => instance.status !== 'Completed' && instance.status !== 'Failed' && instance.status !== 'Terminated').length;
    };

    while ((await unfinished()) > 0) {
      if (calls > MAX_STORE_CALLS) throw new Error(`seed ${seed}: not finished after ${calls} store calls`);
      const workerId = `worker-${worker}`;
      try {
        let progressed = false;
        // A stalled worker wakes up and commits the step it sat on past its lease: the fence must refuse it.
        const commitLate = async (index: number) => {
          const [late] = stalled.splice(index, 1);
          lateCommits++;
          const outcome = await crashing.commitOrchestration(HUB, late!.item, late!.commit);
          assert.equal(outcome.ok, false, `seed ${seed}: a step of ${late!.item.instance.instanceId} committed after its lease ran out`);
        };
        const runStep = async (item: OrchestrationWorkItem) => {
          // Most often the stalled worker wakes while the instance's new owner holds it.
          const zombie = stalled.findIndex((step) => step.item.instance.instanceId === item.instance.instanceId);
          if (zombie >= 0 && random() < 0.7) await commitLate(zombie);
          const decision = planOrchestrationStep(claimedStep(item), deps);
          if (decision.kind === 'abandon') await crashing.abandonOrchestration(HUB, item, decision.retryAfterMs, decision.failed);
          else if (random() < 0.1) {
            stalled.push({ item, commit: decision.commit });
            now += LEASE_MS + 1;
          } else await crashing.commitOrchestration(HUB, item, decision.commit);
        };
        // The result and the step it readies in one call, as the worker computes it ahead (worker.ts stepAhead).
        const completeWithStep = async (task: ActivityWorkItem, result: OutgoingMessage): Promise<boolean> => {
          const kept = beliefs.get(task.instanceId);
          let belief = kept;
          if (kept === undefined || random() < 0.6) {
            const instance = await store.getInstance(HUB, task.instanceId);
            if (instance === undefined) return false;
            belief = { instance, history: (await store.getHistory(HUB, task.instanceId)).map((record) => record.event) };
            beliefs.set(task.instanceId, belief);
          }
          const timing = random();
          const stepAt = timing < 0.1 ? now - MAX_STEP_TIME_LAG_MS - 1 : timing < 0.15 ? now + 1 : now;
          const decision = planOrchestrationStep(
            {
              instance: belief!.instance,
              history: belief!.history,
              historyLength: belief!.history.length,
              messages: [{ id: RESULT_MESSAGE_ID, executionId: task.executionId, event: result.event }],
              lockToken: '',
              claimedAt: stepAt,
              failedAttempts: 0,
            },
            deps,
          );
          if (decision.kind === 'abandon') return false;
          const step = { executionId: belief!.instance.executionId, historyLength: belief!.history.length, stepAt, commit: withoutResultMessage(decision.commit) };
          const claimNext = random() < 0.5 ? { workerId, leaseMs: LEASE_MS } : undefined;
          // Another worker's claim may come between the belief and the commit (a fan-out's earlier results ready it).
          const raced = random() < 0.2 ? await crashing.claimOrchestrations(HUB, { workerId: `${workerId}-other`, max: 3, leaseMs: LEASE_MS }) : [];
          const outcome = await crashing.completeActivityWithStep(HUB, task, result, step, claimNext);
          const kind: ActivityStepOutcomeKind = !outcome.ok ? 'lease-lost' : outcome.stepCommitted ? 'committed' : outcome.fallback;
          withStep.set(kind, (withStep.get(kind) ?? 0) + 1);
          trace.push(`${calls} completeActivityWithStep: ${kind}`);
          if (outcome.ok && !outcome.stepCommitted && outcome.claimed) await runStep(outcome.claimed);
          for (const item of raced) await runStep(item);
          return true;
        };
        if (stalled.length > 0 && random() < 0.2) {
          await commitLate(0);
        } else if (random() < 0.5) {
          for (const item of await crashing.claimOrchestrations(HUB, { workerId, max: 1 + Math.floor(random() * 3), leaseMs: LEASE_MS })) {
            progressed = true;
            await runStep(item);
          }
        } else {
          for (const task of await crashing.claimActivities(HUB, { workerId, max: 1 + Math.floor(random() * 3), leaseMs: LEASE_MS })) {
            progressed = true;
            const output = double.fn(JSON.parse(task.input ?? 'null') as number, undefined as never);
            const result: OutgoingMessage = {
              instanceId: task.instanceId,
              executionId: task.executionId,
              event: { type: 'TaskCompleted', eventId: -1, timestamp: new Date(now).toISOString(), taskScheduledId: task.taskId, result: JSON.stringify(output) },
            };
            if (random() < 0.5 && (await completeWithStep(task, result))) continue;
            await crashing.completeActivity(HUB, task, result);
          }
        }
        if (!progressed) {
          // Nothing claimable: time moves on to the next timer or lease, or a little.
          const wake = await store.nextWakeAt(HUB);
          now = Math.max(now + 1, wake ?? now + 100);
        }
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
        // The worker dies with its leases and its beliefs; a fresh one takes over once they have run out.
        crashes++;
        beliefs.clear();
        worker++;
        now += LEASE_MS + 1;
      }
    }

    for (const planned of PLAN) {
      const instance = await store.getInstance(HUB, planned.id);
      assert.equal(instance?.status, 'Completed', `seed ${seed}: ${planned.id} completed`);
      assert.equal(instance.output, JSON.stringify(planned.output), `seed ${seed}: ${planned.id}'s output`);
      const history = await assertHistoryInvariant(store, HUB, planned.id);
      assert.equal(history.filter((event) => event.type === 'ExecutionCompleted').length, 1, `seed ${seed}: ${planned.id} completed once`);
    }
    return { trace, crashes, lateCommits, withStep };
  } catch (error) {
    if (error instanceof Error && !error.message.includes(`seed ${seed}`)) error.message = `seed ${seed}: ${error.message}`;
    throw error;
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('T25: the engine under crashes between store calls, seeded', () => {
  const withStepOverSeeds = new Map<ActivityStepOutcomeKind, number>();
  for (const seed of SEEDS) {
    it(`seed ${seed}: every instance completes once with an intact history, and the run replays exactly`, async (t) => {
      let first: RunResult;
      try {
        first = await simulate(seed);
      } catch (error) {
        console.error(`T25 failed with seed ${seed}; replay: TASKHUB_TEST_SEED=${seed} node --test dist/tests/simulation/crash-simulation.test.js`);
        throw error;
      }
      const again = await simulate(seed);
      assert.deepEqual(again.trace, first.trace, `seed ${seed}: the replay made the same store calls and crashes`);
      assert.ok(first.crashes > 0, `seed ${seed}: at least one crash was injected`);
      assert.ok((first.withStep.get('committed') ?? 0) > 0, `seed ${seed}: a step committed with an activity's result`);
      for (const [kind, count] of first.withStep) withStepOverSeeds.set(kind, (withStepOverSeeds.get(kind) ?? 0) + count);
      t.diagnostic(`${first.trace.length} store calls, ${first.crashes} crashes, ${first.lateCommits} late commits refused, with a step: ${[...first.withStep].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
    });
  }

  if (SEEDS.length > 1) {
    it('completes results with their steps through every fallback over the seeds', () => {
      // Not 'failed-attempts': it needs a claim that died while a task of its instance was out and no step
      // since, which this driver's seeds did not make (every crash moves the clock past all leases, and the
      // next claim commits); conformance (activity-steps.ts) proves it.
      const expected: ActivityStepOutcomeKind[] = ['committed', 'history-moved', 'instance-leased', 'inbox-not-empty', 'tasks-left', 'step-time-off'];
      assert.deepEqual(expected.filter((kind) => !withStepOverSeeds.has(kind)), [], `outcomes seen: ${[...withStepOverSeeds].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
    });
  }
});
