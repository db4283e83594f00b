/** getInstances: many instances by id in one read, each as getInstance reads it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceRecord } from '../../../backend/backend.js';
import { startAllIn, type OpenBackend, withBackend } from '../fixtures.js';

const byId = (records: InstanceRecord[]) => new Map(records.map((record) => [record.instanceId, record]));

export function describeInstancesById(open: OpenBackend): void {
  describe('getInstances', () => {
    it('answers each existing id once, as getInstance does, and leaves out the ids of no instance', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, { pending: 'Pending', running: 'Running', done: 'Completed', failed: 'Failed' }, { input: '"in"', tags: { team: 'a' } });
        const records = await backend.getInstances(hub, ['done', 'nobody', 'pending', 'running', 'done', 'failed']);
        assert.equal(records.length, 4, 'four instances, the repeated id once');
        const found = byId(records);
        assert.deepEqual([...found.keys()].sort(), ['done', 'failed', 'pending', 'running']);
        for (const [id, record] of found) assert.deepEqual(record, await backend.getInstance(hub, id));
        assert.equal(found.get('done')?.status, 'Completed');
        assert.equal(found.get('pending')?.input, '"in"');
      }));

    it('hides the inputs only when asked, and answers [] for no ids', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, { a: 'Pending', b: 'Completed' }, { input: '42' });
        const hidden = await backend.getInstances(hub, ['a', 'b'], { includeInput: false });
        assert.equal(hidden.length, 2);
        for (const record of hidden) assert.deepEqual(record, await backend.getInstance(hub, record.instanceId, { includeInput: false }));
        const shown = await backend.getInstances(hub, ['a', 'b'], { includeInput: true });
        for (const record of shown) assert.equal(record.input, '42');
        assert.deepEqual(await backend.getInstances(hub, []), []);
      }));

    it('reads only its own hub', () =>
      withBackend(open, async (backend, hub) => {
        const other = `${hub}-other`;
        await startAllIn(backend, other, { shared: 'Pending' });
        try {
          await startAllIn(backend, hub, { mine: 'Pending' });
          assert.deepEqual((await backend.getInstances(hub, ['shared', 'mine'])).map((record) => record.instanceId), ['mine']);
        } finally {
          await backend.deleteHub(other);
        }
      }));

    it('reads a thousand ids in one call', () =>
      withBackend(open, async (backend, hub) => {
        const statuses = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`many-${i}`, 'Pending' as const]));
        await startAllIn(backend, hub, statuses);
        const asked = Array.from({ length: 1000 }, (_, i) => `many-${i}`);
        const records = await backend.getInstances(hub, asked);
        assert.deepEqual(records.map((record) => record.instanceId).sort(), Object.keys(statuses).sort());
      }));
  });
}
