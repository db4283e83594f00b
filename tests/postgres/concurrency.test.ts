/**
 * Many workers on many connections at once: SKIP LOCKED claims never hand an instance to two of them,
 * leased steps never overlap, instances messaging each other never deadlock, and concurrent creates of
 * one id have exactly one winner.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import type { ActivityWorkItem, Backend, OrchestrationWorkItem } from '../../src/backend/backend.js';
import { append, deliver, insertTasks, marker, message, raised, startRequest, stepCommit, taskCompleted } from '../../src/testing/conformance/fixtures.js';
import { TEST_PG_URL } from '../support/stores.js';
import { until, withPostgres } from './pg-test-store.js';

const LEASE_MS = 60_000;

describe('PostgreSQL under concurrent workers', () => {
  it('hands every instance to exactly one of many claimers on separate pools', () =>
    withPostgres(async ({ open, openMigrated }) => {
      const client = await openMigrated();
      const ids = Array.from({ length: 300 }, (_, i) => `i-${i}`);
      for (const id of ids) await client.createInstance('hub', startRequest(id));
      const workers = Array.from({ length: 6 }, () => open({ poolSize: 3 }));

      const claimedBy = new Map<string, number>();
      const duplicates: string[] = [];
      await Promise.all(
        workers.flatMap((worker, w) =>
          [0, 1, 2].map(async () => {
            for (;;) {
              const items = await worker.claimOrchestrations('hub', { workerId: `w${w}`, max: 7, leaseMs: LEASE_MS });
              if (items.length === 0) return;
              for (const item of items) {
                if (claimedBy.has(item.instance.instanceId)) duplicates.push(item.instance.instanceId);
                claimedBy.set(item.instance.instanceId, w);
              }
            }
          }),
        ),
      );
      assert.deepEqual(duplicates, []);
      assert.deepEqual([...claimedBy.keys()].sort(), [...ids].sort());
      assert.ok(new Set(claimedBy.values()).size > 1, 'the work was spread over several workers');
    }));

  it('never runs two steps of one instance at once, and loses no step', () =>
    withPostgres(async ({ open, openMigrated }) => {
      const client = await openMigrated();
      const ids = Array.from({ length: 40 }, (_, i) => `i-${i}`);
      const STEPS = 5;
      for (const id of ids) await client.createInstance('hub', startRequest(id));
      const workers = Array.from({ length: 6 }, () => open({ poolSize: 3 }));

      const inFlight = new Set<string>();
      const overlaps: string[] = [];
      let committed = 0;
      const runStep = async (worker: Backend, item: OrchestrationWorkItem) => {
        const id = item.instance.instanceId;
        if (inFlight.has(id)) overlaps.push(id);
        inFlight.add(id);
        await new Promise((resolve) => setImmediate(resolve));
        const step = item.historyLength;
        const done = step === STEPS - 1;
        // Leaves the set before committing: the instance is claimable again the moment the commit lands.
        inFlight.delete(id);
        const outcome = await worker.commitOrchestration('hub', item, stepCommit(item, done ? 'Completed' : 'Running', [
          append([marker(step)]),
          ...(done ? [] : [deliver(message(id, raised(`step-${step + 1}`)))]),
        ]));
        assert.deepEqual(outcome, { ok: true, leasedActivities: [] });
        committed++;
      };
      await Promise.all(
        workers.flatMap((worker, w) =>
          [0, 1, 2].map(async () => {
            while (committed < ids.length * STEPS) {
              const items = await worker.claimOrchestrations('hub', { workerId: `w${w}`, max: 4, leaseMs: LEASE_MS });
              if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
              await Promise.all(items.map((item) => runStep(worker, item)));
            }
          }),
        ),
      );
      assert.deepEqual(overlaps, []);
      for (const id of ids) {
        const history = await client.getHistory('hub', id);
        assert.deepEqual(history.map((record) => [record.sequence, record.event.eventId]), [0, 1, 2, 3, 4].map((n) => [n, n]));
        assert.equal((await client.getInstance('hub', id))?.status, 'Completed');
      }
    }));

  it('does not deadlock when instances message each other in steps committed at the same moment', () =>
    withPostgres(async ({ open, openMigrated }) => {
      const client = await openMigrated();
      const pairs = Array.from({ length: 8 }, (_, i) => [`a-${i}`, `b-${i}`] as const);
      for (const [a, b] of pairs) {
        await client.createInstance('hub', startRequest(a));
        await client.createInstance('hub', startRequest(b));
      }
      const workers = [open({ poolSize: 8 }), open({ poolSize: 8 })];
      const partner = new Map<string, string>(pairs.flatMap(([a, b]) => [[a, b], [b, a]]));
      for (let round = 0; round < 15; round++) {
        const items = await client.claimOrchestrations('hub', { workerId: 'w', max: 100, leaseMs: LEASE_MS });
        assert.equal(items.length, pairs.length * 2);
        const outcomes = await Promise.all(
          items.map((item, index) =>
            workers[index % 2]!.commitOrchestration('hub', item, stepCommit(item, 'Running', [deliver(message(partner.get(item.instance.instanceId)!, raised(`round-${round}`)))])),
          ),
        );
        assert.ok(outcomes.every((outcome) => outcome.ok));
      }
    }));

  it('commits steps and activity results made at the same moment in one call per batch, without deadlocks', () =>
    withPostgres(async ({ schema, open, openMigrated, admin }) => {
      const client = await openMigrated();
      const ids = Array.from({ length: 24 }, (_, i) => `i-${String(i).padStart(2, '0')}`);
      const ROUNDS = 6;
      for (const id of ids) await client.createInstance('hub', startRequest(id));
      for (const item of await client.claimOrchestrations('hub', { workerId: 'w', max: 100, leaseMs: LEASE_MS })) {
        await client.commitOrchestration('hub', item, stepCommit(item, 'Running', [insertTasks(Array.from({ length: ROUNDS }, (_, taskId) => ({ taskId, name: 'Work' })))]));
      }
      const tasks = await client.claimActivities('hub', { workerId: 'w', max: 1000, leaseMs: LEASE_MS });
      const result = (task: ActivityWorkItem) => message(task.instanceId, taskCompleted(task.taskId), { executionId: task.executionId });
      const ofRound = (round: number) => shuffled(tasks.filter((task) => task.taskId === round));
      for (const task of ofRound(0)) assert.deepEqual(await client.completeActivity('hub', task, result(task)), { ok: true });

      // Function call counts tell a batch that went as one call from one retried item by item.
      const counted = new URL(TEST_PG_URL);
      counted.searchParams.set('options', '-c track_functions=all');
      const stepping = [open({ connectionString: counted.toString() }), open({ connectionString: counted.toString() })];
      const completing = [open({ connectionString: counted.toString() }), open({ connectionString: counted.toString() })];
      for (let round = 1; round < ROUNDS; round++) {
        // Every instance is leased for a step while results for it arrive: both batches lock the same rows.
        const items = shuffled(await client.claimOrchestrations('hub', { workerId: 'w', max: 100, leaseMs: LEASE_MS }));
        assert.equal(items.length, ids.length);
        const [commits, completions] = await Promise.all([
          Promise.all(items.map((item, i) => stepping[i % 2]!.commitOrchestration('hub', item, stepCommit(item, 'Running')))),
          Promise.all(ofRound(round).map((task, i) => completing[i % 2]!.completeActivity('hub', task, result(task)))),
        ]);
        assert.ok(commits.every((outcome) => outcome.ok));
        assert.ok(completions.every((outcome) => outcome.ok));
      }
      await Promise.all([...stepping, ...completing].map((backend) => backend.close()));

      const last = await client.claimOrchestrations('hub', { workerId: 'w', max: 100, leaseMs: LEASE_MS });
      assert.deepEqual(last.map((item) => item.messages.length), ids.map(() => 1));
      const calls = await functionCalls(admin, schema);
      assert.equal(calls.get('commit_steps'), 2 * (ROUNDS - 1));
      assert.equal(calls.get('complete_activities'), 2 * (ROUNDS - 1));
    }));

  it('lets exactly one of many concurrent creates of one id win, over a new id and over a finished instance', () =>
    withPostgres(async ({ open, openMigrated }) => {
      const client = await openMigrated();
      const creators = Array.from({ length: 5 }, () => open({ poolSize: 4 }));
      const createAll = (executionPrefix: string) =>
        Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            creators[i % creators.length]!.createInstance('hub', startRequest('same', { executionId: `${executionPrefix}-${i}` })),
          ),
        );

      const first = await createAll('first');
      assert.equal(first.filter((outcome) => outcome.created).length, 1);
      assert.ok(first.every((outcome) => outcome.created || outcome.existingStatus === 'Pending'));

      const [item] = await client.claimOrchestrations('hub', { workerId: 'w', max: 1, leaseMs: LEASE_MS });
      await client.commitOrchestration('hub', item!, stepCommit(item!, 'Completed', [append([marker(0)])]));
      const second = await createAll('second');
      assert.equal(second.filter((outcome) => outcome.created).length, 1);
      const winner = second.findIndex((outcome) => outcome.created);
      assert.equal((await client.getInstance('hub', 'same'))?.executionId, `second-${winner}`);
      assert.deepEqual(await client.getHistory('hub', 'same'), []);
      const [restarted] = await client.claimOrchestrations('hub', { workerId: 'w', max: 1, leaseMs: LEASE_MS });
      assert.deepEqual(restarted?.messages.map((m) => m.executionId), [`second-${winner}`]);
    }));
});

function shuffled<T>(values: readonly T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Calls per server function of the schema, from sessions with track_functions on, once they have ended
 *  (a session reports its counts when it closes). */
async function functionCalls(admin: pg.Client, schema: string): Promise<Map<string, number>> {
  let calls = new Map<string, number>();
  await until('function statistics', async () => {
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const result = await admin.query<{ funcname: string; calls: string }>(
      'SELECT funcname, calls FROM pg_stat_user_functions WHERE schemaname = $1',
      [schema],
    );
    calls = new Map(result.rows.map((row) => [row.funcname, Number(row.calls)]));
    return calls.has('commit_steps') && calls.has('complete_activities');
  });
  return calls;
}
