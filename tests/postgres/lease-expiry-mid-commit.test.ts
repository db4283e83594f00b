/**
 * docs/reliability.md, T04 on PostgreSQL: a step's commit judges its lease once. A rewrite (rewind,
 * continue-as-new) first deletes the history, then writes the step; a lease that runs out between the two
 * must not leave the history deleted and the step unwritten. A trigger in the test's own schema makes the
 * delete slower than the lease, as a large history or a descheduled server process would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { append, claimOnly, commitOk, marker, message, raised, replace, start, stepCommit } from '../../src/testing/conformance/fixtures.js';
import { storesUnderTest } from '../support/stores.js';
import { withPostgres } from './pg-test-store.js';

const LEASE_MS = 300;
const SLOW_DELETE_SECONDS = 0.6;

describe('PostgreSQL: a lease that runs out in the middle of a commit', { skip: !storesUnderTest().includes('postgres') }, () => {
  it('a rewrite begun while the lease held is written whole, not left half done', () =>
    withPostgres(async ({ schema, openMigrated, admin }) => {
      const backend = await openMigrated();
      const hub = 'hub';
      await start(backend, hub, 'rewritten');
      let item = await claimOnly(backend, hub, 'rewritten');
      await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0), marker(1), marker(2)])]));
      await backend.sendMessage(hub, message('rewritten', raised('go')), ['Running']);
      item = await claimOnly(backend, hub, 'rewritten', LEASE_MS);

      await admin.query(`CREATE FUNCTION ${schema}.slow_delete() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_sleep(${SLOW_DELETE_SECONDS}); RETURN NULL; END $$`);
      await admin.query(`CREATE TRIGGER slow_delete AFTER DELETE ON ${schema}.history FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.slow_delete()`);

      const outcome = await backend.commitOrchestration(hub, item, stepCommit(item, 'Running', [replace([marker(10)])], { status: 'Running', executionId: 'next-execution' }));
      assert.deepEqual(outcome, { ok: true, leasedActivities: [] });
      assert.deepEqual(await backend.getHistory(hub, 'rewritten'), [{ sequence: 0, event: marker(10) }]);
      const instance = await backend.getInstance(hub, 'rewritten');
      assert.equal(instance?.executionId, 'next-execution');
    }));
});
