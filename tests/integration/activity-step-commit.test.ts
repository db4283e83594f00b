/**
 * An activity's result and the step it readies committed in one transaction by the worker that ran the
 * activity and holds the instance's run (docs/adr/0029-activity-result-and-step-in-one-commit.md), on every
 * store: a hello sequence is its start, one claim and four commits; the steps so committed date and number
 * their events as claimed steps do, so another worker replaying the history carries on from it; without the
 * cache, or when the instance has another message waiting, the result takes the claim's path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { Registry, TaskHubClient, Worker, defineOrchestrator, silentLogger, type OrchestrationContext, type StepAuditRecord, type WorkerOptions } from '../../src/index.js';
import { randomHub, storesUnderTest } from '../support/stores.js';
import { suiteStore } from '../support/suite-store.js';
import { slowEcho } from '../support/test-app.js';
import { eventually } from '../support/polling.js';

/** The store calls that write, counted on the real backend; the worker's own claims find nothing while `holdClaims` is set. */
class Writes {
  readonly counts = { claimedSteps: 0, commitOrchestration: 0, completeActivity: 0, completeActivityWithStep: 0, stepsWithActivity: 0 };
  holdClaims = false;

  watch(backend: Backend): Backend {
    const counts = this.counts;
    const held = () => this.holdClaims;
    return new Proxy(backend, {
      get(target, property) {
        if (property === 'claimOrchestrations') {
          return async (...args: Parameters<Backend['claimOrchestrations']>) => {
            // Held back, a claim finds nothing (a claim waiting instead would keep the step dispatcher's slots).
            if (held()) return [];
            const items = await target.claimOrchestrations(...args);
            counts.claimedSteps += items.length;
            return items;
          };
        }
        if (property === 'commitOrchestration' || property === 'completeActivity') counts[property]++;
        if (property === 'completeActivityWithStep') {
          return async (...args: Parameters<Backend['completeActivityWithStep']>) => {
            counts.completeActivityWithStep++;
            const outcome = await target.completeActivityWithStep(...args);
            if (outcome.ok && outcome.stepCommitted) counts.stepsWithActivity++;
            return outcome;
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/** Three activities in a row, then a wait for an event: the history is read back by whoever delivers it. */
const greetThenWait = defineOrchestrator('GreetThenWait', function* (context: OrchestrationContext, input: { firstDelayMs: number } | undefined) {
  const times = [context.currentUtcDateTime.getTime()];
  let sum = 0;
  for (let i = 1; i <= 3; i++) {
    sum += yield* context.callActivity(slowEcho, { value: i, delayMs: i === 1 ? (input?.firstDelayMs ?? 0) : 0 });
    times.push(context.currentUtcDateTime.getTime());
  }
  const bonus = yield* context.waitForExternalEvent<number>('bonus');
  return { sum: sum + bonus, times };
});

function worker(backend: Backend, hub: string, audit: StepAuditRecord[], options: Partial<WorkerOptions> = {}): Worker {
  const registry = new Registry().add(slowEcho, greetThenWait);
  const started = new Worker({ backend, hub, registry, logger: silentLogger, onStepCommitted: (record) => audit.push(record), ...options });
  started.start();
  return started;
}

for (const kind of storesUnderTest()) {
  describe(`an activity's result and the step it readies in one commit on ${kind}`, () => {
    const suite = suiteStore(kind);

    it('a hello sequence is one claim and four commits; a fresh worker replays the history those commits wrote', async () => {
      const { backend } = suite;
      const hub = randomHub();
      const writes = new Writes();
      const audit: StepAuditRecord[] = [];
      const first = worker(writes.watch(backend), hub, audit);
      const client = new TaskHubClient({ backend, hub });
      let second: Worker | undefined;
      try {
        const id = await client.startNew('GreetThenWait');
        await eventually('the sequence to wait for its event', async () => (audit.length === 4 ? true : undefined));
        assert.deepEqual(audit.map((record) => record.withActivity), [false, true, true, true], 'the three results each committed their step');
        assert.deepEqual(writes.counts, { claimedSteps: 1, commitOrchestration: 1, completeActivity: 0, completeActivityWithStep: 3, stepsWithActivity: 3 });
        const history = await client.getHistory(id);
        const stepTimes = history.filter((event) => event.type === 'OrchestratorStarted').map((event) => Date.parse(event.timestamp));
        assert.equal(stepTimes.length, 4);
        for (let i = 1; i < stepTimes.length; i++) assert.ok(stepTimes[i]! >= stepTimes[i - 1]!, `step times run forward: ${stepTimes.join(', ')}`);
        assert.ok(stepTimes[3]! <= (await backend.now()), 'and not ahead of the store clock');

        // Another worker, which holds no run, replays the history to take the instance on.
        await first.stop();
        second = worker(backend, hub, audit, { maxCachedInstances: 0 });
        await client.raiseEvent(id, 'bonus', 10);
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal(status.runtimeStatus, 'Completed');
        const output = status.output as { sum: number; times: number[] };
        assert.equal(output.sum, 16);
        assert.deepEqual(output.times, stepTimes, "the replayed code saw each step's recorded time");
      } finally {
        await first.stop();
        await second?.stop();
      }
    });

    it('without the cache every result is delivered and its step claimed, as before', async () => {
      const { backend } = suite;
      const hub = randomHub();
      const writes = new Writes();
      const audit: StepAuditRecord[] = [];
      const started = worker(writes.watch(backend), hub, audit, { maxCachedInstances: 0 });
      const client = new TaskHubClient({ backend, hub });
      try {
        const id = await client.startNew('GreetThenWait');
        await eventually('the sequence to wait for its event', async () => (audit.length === 4 ? true : undefined));
        assert.deepEqual(audit.map((record) => record.withActivity), [false, false, false, false]);
        assert.equal(writes.counts.completeActivityWithStep, 0);
        assert.equal(writes.counts.completeActivity, 3);
        await client.raiseEvent(id, 'bonus', 1);
        assert.equal(((await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 })).output as { sum: number }).sum, 7);
      } finally {
        await started.stop();
      }
    });

    it('a result that finds another message in the inbox is delivered with it and claimed, and the run computed ahead replaced by a replay', async () => {
      const { backend } = suite;
      const hub = randomHub();
      const writes = new Writes();
      const audit: StepAuditRecord[] = [];
      const started = worker(writes.watch(backend), hub, audit);
      const client = new TaskHubClient({ backend, hub });
      try {
        // The first activity runs long enough for the event to arrive before its result, even on a loaded machine.
        const id = await client.startNew('GreetThenWait', { input: { firstDelayMs: 2000 } });
        await eventually('the first step to be committed', async () => (audit.length === 1 ? true : undefined));
        // The event waits in the inbox: the worker's polls may not claim it before the first result comes.
        writes.holdClaims = true;
        await client.raiseEvent(id, 'bonus', 100);
        await eventually('the first result to be committed', async () => (audit.length >= 2 ? true : undefined));
        writes.holdClaims = false;
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        assert.equal((status.output as { sum: number }).sum, 106);
        assert.deepEqual(audit.map((record) => record.withActivity), [false, false, true, true], 'the first result was claimed with the event; the next ones went on from the replayed run');
        assert.equal(writes.counts.completeActivityWithStep, 3);
        assert.equal(writes.counts.stepsWithActivity, 2);
        const history = await client.getHistory(id);
        assert.deepEqual(history.filter((event) => event.type === 'TaskCompleted' || event.type === 'EventRaised').map((event) => event.type),
          ['EventRaised', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted']);
      } finally {
        writes.holdClaims = false;
        await started.stop();
      }
    });
  });
}
