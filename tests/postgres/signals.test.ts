/** What LISTEN/NOTIFY adds to the conformance suite's signal cases: signals are transactional, stay in
 *  their schema, and are caught up on after the listening connection was down. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkSignal } from '../../src/backend/backend.js';
import type { PostgresBackend } from '../../src/backend/postgres/index.js';
import { channelOf } from '../../src/backend/postgres/signals.js';
import { insertTasks, startRequest, stepCommit } from '../../src/testing/conformance/fixtures.js';
import { until, withPostgres } from './pg-test-store.js';

/** Subscribes and records every signal. On a migrated backend the listening connection is already up. */
function recordSignals(backend: PostgresBackend, hub: string): { signals: WorkSignal[]; unsubscribe: () => void } {
  const signals: WorkSignal[] = [];
  const unsubscribe = backend.subscribe(hub, (signal) => signals.push(signal));
  return { signals, unsubscribe };
}

function kinds(signals: WorkSignal[]): string[] {
  return signals.map((signal) => (signal.kind === 'finished' ? `finished:${signal.instanceId}` : signal.kind));
}

describe('PostgreSQL work signals', () => {
  it('are not sent by a transaction that rolls back (a commit whose lease was lost)', () =>
    withPostgres(async ({ openMigrated }) => {
      const writer = await openMigrated();
      const listener = await openMigrated();
      await writer.createInstance('hub', startRequest('a'));
      const stale = (await writer.claimOrchestrations('hub', { workerId: 'w', max: 1, leaseMs: 1 }))[0]!;
      await until('the lease to expire', async () => (await writer.now()) > stale.claimedAt + 1);
      const { signals } = recordSignals(listener, 'hub');

      const lost = await writer.commitOrchestration('hub', stale, stepCommit(stale, 'Completed', [insertTasks([{ taskId: 0, name: 'Act' }])]));
      assert.deepEqual(lost, { ok: false, reason: 'lease-lost' });
      // Notifications arrive in commit order: once this later one is heard, an earlier one would have been.
      await writer.createInstance('hub', startRequest('b'));
      await until('the later start signal', () => signals.length > 0);
      assert.deepEqual(kinds(signals), ['orchestration']);
    }));

  it('stay within their schema: a listener on another schema hears nothing', () =>
    withPostgres(async ({ openMigrated }) => {
      const writer = await openMigrated();
      const { signals } = recordSignals(await openMigrated(), 'hub');
      await withPostgres(async ({ openMigrated: openOther }) => {
        const { signals: otherSchema } = recordSignals(await openOther(), 'hub');
        await writer.createInstance('hub', startRequest('a'));
        await until('the start signal', () => signals.length === 1);
        await writer.createInstance('hub', startRequest('b'));
        await until('the second start signal', () => signals.length === 2);
        assert.deepEqual(otherSchema, []);
      });
    }));

  it('catch up the hubs subscribed before the listening connection was up, and only those', () =>
    withPostgres(async ({ open, openMigrated }) => {
      await openMigrated();
      const backend = open();
      const { signals: early } = recordSignals(backend, 'early');
      await backend.migrate();
      assert.deepEqual(kinds(early), ['orchestration', 'activity']);
      const { signals: late } = recordSignals(backend, 'late');
      await backend.createInstance('early', startRequest('a'));
      await until('the start signal', () => early.length === 3);
      assert.deepEqual(late, []);
    }));

  it('come back after the listening connection is terminated, with a synthetic signal to re-poll', () =>
    withPostgres(async ({ schema, open, openMigrated, admin }) => {
      const listener = await openMigrated();
      // Not migrated, so that its own listening connection is never opened.
      const writer = open();
      const { signals } = recordSignals(listener, 'hub');
      // This test's listening connection only: other test files' listeners are left alone.
      const listenerPids = async () =>
        (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channelOf(schema)}"`]))
          .rows.map((row) => row.pid);

      for (let round = 0; round < 2; round++) {
        const before = await listenerPids();
        assert.equal(before.length, 1);
        await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
        await until('the synthetic signals after reconnecting', () => kinds(signals).includes('orchestration') && kinds(signals).includes('activity'));
        signals.length = 0;
        const after = await listenerPids();
        assert.equal(after.filter((pid) => before.includes(pid)).length, 0);

        await writer.createInstance('hub', startRequest(`after-${round}`));
        await until('a real signal on the new connection', () => signals.length > 0);
        assert.deepEqual(kinds(signals), ['orchestration']);
        signals.length = 0;
      }
    }));
});
