/**
 * A step's ops apply in the order given, each seeing what those before it wrote: the rules of the
 * runtime (src/runtime/orchestration-step.ts) rest on it, so each order that matters has a case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestrationCommit } from '../../../backend/backend.js';
import {
  LONG_LEASE_MS,
  claimAll,
  claimOnly,
  commitOk,
  deliver,
  eventTypes,
  insertTasks,
  message,
  raised,
  start,
  startRequest,
  stepCommit,
  type OpenBackend,
  withBackend,
} from '../fixtures.js';

const ACTIVITY_CLAIM = { workerId: 'activity-worker', max: 100, leaseMs: LONG_LEASE_MS };

export function describeCommitOrder(open: OpenBackend): void {
  describe('ops of a commit, in order', () => {
    it('deleteAllMessages deletes a message the step delivered to itself before it, not one after it', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'self');
        const item = await claimOnly(backend, hub, 'self');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [
          deliver(message('self', raised('before'))),
          { op: 'deleteAllMessages' },
          deliver(message('self', raised('after'))),
        ]));
        assert.deepEqual((await claimOnly(backend, hub, 'self')).messages.map((m) => m.event), [raised('after')]);
      }));

    it('deliverMessage reaches a child only after the createInstance that creates it', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'parent');
        const parent = await claimOnly(backend, hub, 'parent');
        const onConflict = message('parent', raised('conflict'));
        await commitOk(backend, hub, parent, stepCommit(parent, 'Running', [
          deliver(message('late-child', raised('too-early'))),
          { op: 'createInstance', request: startRequest('late-child'), onConflict },
          deliver(message('late-child', raised('in-time'))),
          deliver(message('early-child', raised('in-time'))),
        ]));
        const children = (await claimAll(backend, hub)).filter((item) => item.instance.instanceId === 'late-child');
        assert.deepEqual(children.map(eventTypes), [['ExecutionStarted', 'EventRaised']]);
        assert.deepEqual(children[0]!.messages[1]!.event, raised('in-time'));
        assert.equal(await backend.getInstance(hub, 'early-child'), undefined, 'a message creates no instance');
      }));

    it('dropUnleasedTasks drops the tasks inserted before it, not those inserted after it', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'tasks');
        const item = await claimOnly(backend, hub, 'tasks');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [
          insertTasks([{ taskId: 0, name: 'Dropped' }]),
          { op: 'dropUnleasedTasks' },
          insertTasks([{ taskId: 1, name: 'Kept' }]),
        ]));
        assert.deepEqual((await backend.claimActivities(hub, ACTIVITY_CLAIM)).map((task) => task.name), ['Kept']);
      }));

    it('dropUnleasedTasks alone keeps the inbox, deleteAllMessages alone keeps the tasks', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'apart');
        let item = await claimOnly(backend, hub, 'apart');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'Work' }]), deliver(message('apart', raised('first')))]));
        item = await claimOnly(backend, hub, 'apart');
        const droppingTasks: OrchestrationCommit = { instance: { status: 'Running' }, ops: [{ op: 'dropUnleasedTasks' }] };
        await commitOk(backend, hub, item, droppingTasks);
        assert.deepEqual(await backend.claimActivities(hub, ACTIVITY_CLAIM), []);
        item = await claimOnly(backend, hub, 'apart');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('first')]);
        await commitOk(backend, hub, item, { instance: { status: 'Running' }, ops: [insertTasks([{ taskId: 1, name: 'Again' }]), { op: 'deleteAllMessages' }] });
        assert.deepEqual(await claimAll(backend, hub), []);
        assert.deepEqual((await backend.claimActivities(hub, ACTIVITY_CLAIM)).map((task) => task.name), ['Again']);
      }));

    it('apply alike whether a step writes only to itself or to others, in one batch of commits', () =>
      withBackend(open, async (backend, hub) => {
        for (const id of ['alone', 'sender', 'receiver']) await start(backend, hub, id);
        const items = await claimAll(backend, hub);
        const item = (id: string) => items.find((claimed) => claimed.instance.instanceId === id)!;
        const outcomes = await Promise.all([
          backend.commitOrchestration(hub, item('alone'), stepCommit(item('alone'), 'Running', [deliver(message('alone', raised('to-itself')))])),
          backend.commitOrchestration(hub, item('sender'), stepCommit(item('sender'), 'Running', [deliver(message('receiver', raised('to-another')))])),
          backend.commitOrchestration(hub, item('receiver'), stepCommit(item('receiver'), 'Running')),
        ]);
        assert.ok(outcomes.every((outcome) => outcome.ok));
        const next = await claimAll(backend, hub);
        assert.deepEqual(next.map((claimed) => [claimed.instance.instanceId, claimed.messages.map((m) => m.event)]).sort(), [
          ['alone', [raised('to-itself')]],
          ['receiver', [raised('to-another')]],
        ]);
      }));
  });
}
