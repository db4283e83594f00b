/** createInstance, sendMessage, getInstance, getHistory: the client's writes and reads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuntimeStatus } from '../../../core/history.js';
import {
  LONG_LEASE_MS,
  append,
  claimAll,
  claimOnly,
  commitOk,
  deliver,
  eventTypes,
  insertTasks,
  marker,
  message,
  raised,
  start,
  startIn,
  startRequest,
  stepCommit,
  type OpenBackend,
  withBackend,
} from '../fixtures.js';

const UNFINISHED: RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'];
const FINISHED: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function describeInstances(open: OpenBackend): void {
  describe('createInstance and getInstance', () => {
    it('creates a Pending instance stamped with the store clock, with its start message in the inbox', () =>
      withBackend(open, async (backend, hub) => {
        const before = await backend.now();
        const request = await start(backend, hub, 'one', { name: 'Hello', input: '{ "city" : "Tokyo" }', parentInstanceId: 'the-parent' });
        const after = await backend.now();
        const record = await backend.getInstance(hub, 'one');
        assert.ok(record);
        assert.equal(record.instanceId, 'one');
        assert.equal(record.executionId, request.executionId);
        assert.equal(record.name, 'Hello');
        assert.equal(record.status, 'Pending');
        assert.equal(record.input, '{ "city" : "Tokyo" }', 'JSON text is stored exactly as given');
        assert.equal(record.parentInstanceId, 'the-parent');
        assert.equal(record.output, undefined);
        assert.equal(record.customStatus, undefined);
        assert.equal(record.completedAt, undefined);
        assert.equal(record.scheduledStartAt, undefined);
        assert.ok(record.createdAt >= before && record.createdAt <= after);
        assert.equal(record.lastUpdatedAt, record.createdAt);

        const item = await claimOnly(backend, hub, 'one');
        assert.deepEqual(item.messages.map((m) => [m.executionId, m.event]), [[request.executionId, request.startEvent]]);
      }));

    it('hides the input only when asked, and answers undefined for an unknown id', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'with-input', { input: '42' });
        assert.equal((await backend.getInstance(hub, 'with-input'))?.input, '42', 'inputs are included by default');
        assert.equal((await backend.getInstance(hub, 'with-input', { includeInput: true }))?.input, '42');
        const hidden = await backend.getInstance(hub, 'with-input', { includeInput: false });
        assert.ok(hidden);
        assert.equal(hidden.input, undefined);
        assert.equal(await backend.getInstance(hub, 'nobody'), undefined);
      }));

    it('records a scheduled start and keeps the start message invisible until then', () =>
      withBackend(open, async (backend, hub) => {
        const startAt = (await backend.now()) + LONG_LEASE_MS;
        await start(backend, hub, 'later', { scheduledStartAt: startAt });
        assert.equal((await backend.getInstance(hub, 'later'))?.scheduledStartAt, startAt);
        assert.deepEqual(await claimAll(backend, hub), []);
        assert.equal(await backend.nextWakeAt(hub), startAt);
      }));

    for (const status of UNFINISHED) {
      it(`refuses to start over a ${status} instance and changes nothing`, () =>
        withBackend(open, async (backend, hub) => {
          await startIn(backend, hub, 'taken', status, { input: '"first"' });
          const before = await backend.getInstance(hub, 'taken');
          const outcome = await backend.createInstance(hub, startRequest('taken', { input: '"second"' }));
          assert.deepEqual(outcome, { created: false, existingStatus: status });
          assert.deepEqual(await backend.getInstance(hub, 'taken'), before);
          if (status === 'Pending') {
            const item = await claimOnly(backend, hub, 'taken');
            assert.deepEqual(eventTypes(item), ['ExecutionStarted'], 'no second start message');
          }
        }));
    }

    for (const status of FINISHED) {
      it(`replaces a ${status} instance, deleting its history, inbox and activity tasks`, () =>
        withBackend(open, async (backend, hub) => {
          await start(backend, hub, 'again', { input: '"first"' });
          const item = await claimOnly(backend, hub, 'again');
          await commitOk(backend, hub, item, stepCommit(item, status, [
            append([marker(1), marker(2)]),
            insertTasks([{ taskId: 1, name: 'Left' }]),
            deliver(message('again', raised('late'))),
          ], { status, output: '"done"', customStatus: '"custom"' }));

          const second = startRequest('again', { input: '"second"', name: 'Other' });
          assert.deepEqual(await backend.createInstance(hub, second), { created: true });
          const record = await backend.getInstance(hub, 'again');
          assert.ok(record);
          assert.equal(record.executionId, second.executionId);
          assert.equal(record.status, 'Pending');
          assert.equal(record.name, 'Other');
          assert.equal(record.input, '"second"');
          assert.equal(record.output, undefined);
          assert.equal(record.customStatus, undefined);
          assert.equal(record.completedAt, undefined);
          assert.deepEqual(await backend.getHistory(hub, 'again'), []);
          assert.deepEqual(await backend.claimActivities(hub, { workerId: 'w', max: 10, leaseMs: LONG_LEASE_MS }), []);
          const next = await claimOnly(backend, hub, 'again');
          assert.deepEqual(next.messages.map((m) => m.event), [second.startEvent]);
          assert.deepEqual(next.history, []);
        }));
    }

    it('round-trips instance ids and hub-scoped data with awkward characters', () =>
      withBackend(open, async (backend, hub) => {
        const ids = ["a'b", 'a"b', 'x; DROP TABLE instances; --', '100%_sure', 'ünïcødé-😀-רשימה', 'a\\b', 'z'.repeat(256)];
        for (const id of ids) await start(backend, hub, id, { input: JSON.stringify(id) });
        for (const id of ids) {
          const record = await backend.getInstance(hub, id);
          assert.ok(record);
          assert.equal(record.instanceId, id);
          assert.equal(record.input, JSON.stringify(id));
          assert.deepEqual(await backend.sendMessage(hub, message(id, raised('ping')), ['Pending']), { sent: true, status: 'Pending' });
        }
        const claimed = (await claimAll(backend, hub)).map((item) => item.instance.instanceId).sort();
        assert.deepEqual(claimed, [...ids].sort());
      }));

    it('keeps hubs apart: the same id in two hubs is two instances', () =>
      withBackend(open, async (backend, hub) => {
        const otherHub = `${hub}-other`;
        try {
          await start(backend, hub, 'same', { input: '1' });
          await start(backend, otherHub, 'same', { input: '2' });
          assert.equal((await backend.getInstance(hub, 'same'))?.input, '1');
          assert.equal((await backend.getInstance(otherHub, 'same'))?.input, '2');
          const item = await claimOnly(backend, hub, 'same');
          assert.equal(item.instance.input, '1');
          assert.equal((await claimOnly(backend, otherHub, 'same')).instance.input, '2');
        } finally {
          await backend.deleteHub(otherHub);
        }
      }));
  });

  describe('sendMessage', () => {
    it('answers not-found for an unknown instance', () =>
      withBackend(open, async (backend, hub) => {
        assert.deepEqual(await backend.sendMessage(hub, message('ghost', raised('x')), ['Running']), { sent: false, reason: 'not-found' });
        await start(backend, hub, 'ghost');
        const item = await claimOnly(backend, hub, 'ghost');
        assert.deepEqual(eventTypes(item), ['ExecutionStarted'], 'nothing was stored for the unknown id');
      }));

    it('refuses an instance whose status is not allowed, saying which status it has', () =>
      withBackend(open, async (backend, hub) => {
        await startIn(backend, hub, 'done', 'Completed');
        assert.deepEqual(await backend.sendMessage(hub, message('done', raised('x')), ['Pending', 'Running']), {
          sent: false,
          reason: 'wrong-status',
          status: 'Completed',
        });
        assert.deepEqual(await claimAll(backend, hub), [], 'nothing was stored');
      }));

    it('stores the message with its execution id, visible now or at visibleAt', () =>
      withBackend(open, async (backend, hub) => {
        const request = await start(backend, hub, 'target');
        const item = await claimOnly(backend, hub, 'target');
        await commitOk(backend, hub, item, stepCommit(item, 'Running'));
        const later = (await backend.now()) + LONG_LEASE_MS;
        assert.deepEqual(
          await backend.sendMessage(hub, message('target', raised('soon', '1'), { executionId: request.executionId }), ['Running']),
          { sent: true, status: 'Running' },
        );
        assert.deepEqual(
          await backend.sendMessage(hub, message('target', raised('later', '2'), { visibleAt: later }), ['Running']),
          { sent: true, status: 'Running' },
        );
        const next = await claimOnly(backend, hub, 'target');
        assert.deepEqual(next.messages.map((m) => [m.executionId, m.event]), [[request.executionId, raised('soon', '1')]]);
        assert.equal(await backend.nextWakeAt(hub), later);
      }));
  });

  describe('getHistory', () => {
    it('returns the history in order, in pages from a sequence number', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'long');
        let item = await claimOnly(backend, hub, 'long');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([0, 1, 2, 3].map(marker))]));
        await backend.sendMessage(hub, message('long', raised('more')), ['Running']);
        item = await claimOnly(backend, hub, 'long');
        assert.deepEqual(item.history, [0, 1, 2, 3].map(marker));
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([4, 5, 6].map(marker))]));

        const all = await backend.getHistory(hub, 'long');
        assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6].map((n) => ({ sequence: n, event: marker(n) })));
        assert.deepEqual(await backend.getHistory(hub, 'long', { fromSequence: 2, limit: 3 }), all.slice(2, 5));
        assert.deepEqual(await backend.getHistory(hub, 'long', { fromSequence: 5 }), all.slice(5));
        assert.deepEqual(await backend.getHistory(hub, 'long', { limit: 2 }), all.slice(0, 2));
        assert.deepEqual(await backend.getHistory(hub, 'long', { fromSequence: 7 }), []);
        assert.deepEqual(await backend.getHistory(hub, 'nobody'), []);
      }));
  });
}
