/** sendMessagesOnce: keyed client messages, delivered at most once per instance and key, in one transaction. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../../backend/backend.js';
import type { RuntimeStatus } from '../../../core/history.js';
import { claimAll, message, raised, startAllIn, withBackend, withBackends, type OpenBackend } from '../fixtures.js';

const UNFINISHED: RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'];

/** The names of the EventRaised messages in each claimable instance's inbox; the claims are released. */
async function raisedNames(backend: Backend, hub: string): Promise<Record<string, string[]>> {
  const names: Record<string, string[]> = {};
  for (const item of await claimAll(backend, hub)) {
    names[item.instance.instanceId] = item.messages.flatMap((m) => (m.event.type === 'EventRaised' ? [m.event.name] : []));
    await backend.abandonOrchestration(hub, item, 0);
  }
  return names;
}

export function describeKeyedDelivery(open: OpenBackend): void {
  describe('sendMessagesOnce', () => {
    it('delivers as sendMessage does, one outcome per message in order, and refuses a second delivery under the same key', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, { a: 'Running', b: 'Completed', c: 'Running' });
        const messages = ['a', 'b', 'nobody', 'c'].map((id) => message(id, raised('go')));
        assert.deepEqual(await backend.sendMessagesOnce(hub, messages, UNFINISHED, 'job-1'), [
          { sent: true, status: 'Running' },
          { sent: false, reason: 'wrong-status', status: 'Completed' },
          { sent: false, reason: 'not-found' },
          { sent: true, status: 'Running' },
        ]);
        assert.deepEqual(await backend.sendMessagesOnce(hub, messages, UNFINISHED, 'job-1'), [
          { sent: false, reason: 'duplicate' },
          { sent: false, reason: 'wrong-status', status: 'Completed' },
          { sent: false, reason: 'not-found' },
          { sent: false, reason: 'duplicate' },
        ]);
        assert.deepEqual(await raisedNames(backend, hub), { a: ['go'], c: ['go'] }, 'one message each');
        // Another key is another operation.
        assert.deepEqual(await backend.sendMessagesOnce(hub, [message('a', raised('again'))], UNFINISHED, 'job-2'), [{ sent: true, status: 'Running' }]);
        assert.deepEqual(await raisedNames(backend, hub), { a: ['go', 'again'], c: ['go'] });
        assert.deepEqual(await backend.sendMessagesOnce(hub, [], UNFINISHED, 'job-3'), []);
      }));

    it('answers duplicate whatever the status has become, and records no key for a refused delivery', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, { done: 'Running', waiting: 'Pending' });
        assert.deepEqual(await backend.sendMessagesOnce(hub, [message('done', raised('stop'))], ['Running'], 'job'), [{ sent: true, status: 'Running' }]);
        assert.deepEqual(await backend.sendMessagesOnce(hub, [message('waiting', raised('stop'))], ['Running'], 'job'), [
          { sent: false, reason: 'wrong-status', status: 'Pending' },
        ]);
        // Now only Pending is allowed: 'done' (Running) got its message already, 'waiting' was refused before and gets it now.
        assert.deepEqual(await backend.sendMessagesOnce(hub, [message('done', raised('stop')), message('waiting', raised('stop'))], ['Pending'], 'job'), [
          { sent: false, reason: 'duplicate' },
          { sent: true, status: 'Pending' },
        ]);
      }));

    it('drops an instance\'s keys when it is purged: a new instance with its id gets the message again', () =>
      withBackend(open, async (backend, hub) => {
        await startAllIn(backend, hub, { old: 'Running' });
        assert.deepEqual(await backend.sendMessagesOnce(hub, [message('old', raised('x'))], UNFINISHED, 'job'), [{ sent: true, status: 'Running' }]);
        for (const item of await claimAll(backend, hub)) {
          assert.ok((await backend.commitOrchestration(hub, item, { instance: { status: 'Completed' }, ops: [{ op: 'deleteAllMessages' }] })).ok);
        }
        assert.deepEqual(await backend.purgeInstance(hub, 'old'), { purged: true });
        await startAllIn(backend, hub, { old: 'Running' });
        assert.deepEqual(await backend.sendMessagesOnce(hub, [message('old', raised('x'))], UNFINISHED, 'job'), [{ sent: true, status: 'Running' }]);
      }));

    it('delivers once when two store objects send under the same key at the same time', () =>
      withBackends(open, 2, async ([first, second], hub) => {
        const ids = Array.from({ length: 20 }, (_, i) => `i${String(i).padStart(2, '0')}`);
        await startAllIn(first!, hub, Object.fromEntries(ids.map((id) => [id, 'Running'])));
        const messages = ids.map((id) => message(id, raised('once')));
        const [a, b] = await Promise.all([first!, second!].map((backend) => backend.sendMessagesOnce(hub, messages, UNFINISHED, 'job')));
        ids.forEach((id, index) => {
          assert.deepEqual([a![index]!.sent, b![index]!.sent].filter(Boolean), [true], `${id} got one message`);
        });
        const names = await raisedNames(first!, hub);
        assert.deepEqual(Object.values(names).map((list) => list.length), ids.map(() => 1));
      }));
  });
}
