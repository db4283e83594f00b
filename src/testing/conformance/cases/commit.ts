/** What one committed orchestration step writes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuntimeStatus } from '../../../core/history.js';
import {
  FINISHING_OPS,
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
  replace,
  start,
  startIn,
  startRequest,
  stepCommit,
  taskCompleted,
  timerFired,
  type OpenBackend,
  withBackend,
} from '../fixtures.js';

const ACTIVITY_CLAIM = { workerId: 'activity-worker', max: 100, leaseMs: LONG_LEASE_MS };

export function describeCommit(open: OpenBackend): void {
  describe('commitOrchestration', () => {
    it('appendHistory: appends events with sequence numbers that continue across steps', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'seq');
        let item = await claimOnly(backend, hub, 'seq');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0), marker(1)])]));
        await backend.sendMessage(hub, message('seq', raised('go')), ['Running']);
        item = await claimOnly(backend, hub, 'seq');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(2)])]));
        assert.deepEqual(await backend.getHistory(hub, 'seq'), [0, 1, 2].map((n) => ({ sequence: n, event: marker(n) })));
      }));

    it('sets status, output and custom status exactly as given, stamps lastUpdatedAt, and clears what is undefined', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'row', { input: '"kept"' });
        let item = await claimOnly(backend, hub, 'row');
        await commitOk(backend, hub, item, stepCommit(item, 'Suspended', [], { status: 'Suspended', output: '"why"', customStatus: '{"step":1}' }));
        let record = await backend.getInstance(hub, 'row');
        assert.ok(record);
        assert.equal(record.status, 'Suspended');
        assert.equal(record.output, '"why"');
        assert.equal(record.customStatus, '{"step":1}');
        assert.equal(record.input, '"kept"', 'the input is unchanged without a new execution');
        assert.ok(record.lastUpdatedAt >= item.claimedAt);
        assert.equal(record.completedAt, undefined);

        await backend.sendMessage(hub, message('row', raised('resume')), ['Suspended']);
        item = await claimOnly(backend, hub, 'row');
        await commitOk(backend, hub, item, stepCommit(item, 'Running'));
        record = await backend.getInstance(hub, 'row');
        assert.ok(record);
        assert.equal(record.output, undefined);
        assert.equal(record.customStatus, undefined);
        assert.equal(record.input, '"kept"');
      }));

    for (const status of ['Completed', 'Failed', 'Terminated'] as RuntimeStatus[]) {
      it(`stamps completedAt when the instance becomes ${status}`, () =>
        withBackend(open, async (backend, hub) => {
          await start(backend, hub, 'ends');
          const item = await claimOnly(backend, hub, 'ends');
          await commitOk(backend, hub, item, stepCommit(item, status, [], { status, output: '"result"' }));
          const record = await backend.getInstance(hub, 'ends');
          assert.ok(record);
          assert.equal(record.status, status);
          assert.equal(record.output, '"result"');
          assert.ok(record.completedAt !== undefined && record.completedAt >= item.claimedAt);
          assert.equal(record.completedAt, record.lastUpdatedAt);
        }));
    }

    it('instance.unchanged: a step that only drops a late message keeps lastUpdatedAt and completedAt', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'late');
        let item = await claimOnly(backend, hub, 'late');
        await commitOk(backend, hub, item, stepCommit(item, 'Completed', [], { status: 'Completed', output: '"done"' }));
        const finished = await backend.getInstance(hub, 'late');
        assert.equal((await backend.sendMessage(hub, message('late', timerFired(0)), ['Completed'])).sent, true);
        await new Promise((resolve) => setTimeout(resolve, 20));
        item = await claimOnly(backend, hub, 'late');
        const ids = item.messages.map((m) => m.id);
        await commitOk(backend, hub, item, { instance: { status: 'Completed', output: '"done"', unchanged: true }, ops: [{ op: 'deleteMessages', ids }] });
        const after = await backend.getInstance(hub, 'late');
        assert.ok(finished && after);
        assert.equal(after.status, 'Completed');
        assert.equal(after.output, '"done"');
        assert.equal(after.lastUpdatedAt, finished.lastUpdatedAt);
        assert.equal(after.completedAt, finished.completedAt);
      }));

    it('deleteMessages: deletes the consumed messages only; the others, and those that arrived during the step, are claimable next', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'inbox');
        let item = await claimOnly(backend, hub, 'inbox');
        await commitOk(backend, hub, item, stepCommit(item, 'Running'));
        await backend.sendMessage(hub, message('inbox', raised('one')), ['Running']);
        await backend.sendMessage(hub, message('inbox', raised('two')), ['Running']);
        item = await claimOnly(backend, hub, 'inbox');
        await backend.sendMessage(hub, message('inbox', raised('during')), ['Running']);
        await commitOk(backend, hub, item, { instance: { status: 'Running' }, ops: [{ op: 'deleteMessages', ids: [item.messages[0]!.id] }] });
        item = await claimOnly(backend, hub, 'inbox');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('two'), raised('during')]);
      }));

    it('requeueMessages: puts messages that arrived during the step behind the ones it sends itself', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'requeue');
        let item = await claimOnly(backend, hub, 'requeue');
        await commitOk(backend, hub, item, stepCommit(item, 'Running'));
        await backend.sendMessage(hub, message('requeue', raised('carried')), ['Running']);
        item = await claimOnly(backend, hub, 'requeue');
        await backend.sendMessage(hub, message('requeue', raised('arrived-1')), ['Running']);
        await backend.sendMessage(hub, message('requeue', raised('arrived-2')), ['Running']);
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [deliver(message('requeue', raised('carried'))), { op: 'requeueMessages' }]));
        item = await claimOnly(backend, hub, 'requeue');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('carried'), raised('arrived-1'), raised('arrived-2')]);
      }));

    it('replaceHistory: replaces the whole history, and appendHistory appends after it next time', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'rewound');
        let item = await claimOnly(backend, hub, 'rewound');
        await commitOk(backend, hub, item, stepCommit(item, 'Failed', [append([marker(0), marker(1), marker(2)])]));
        await backend.sendMessage(hub, message('rewound', raised('rewind')), ['Failed']);
        item = await claimOnly(backend, hub, 'rewound');
        assert.equal(item.history?.length, 3);
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(50)]), replace([marker(10), marker(11)])]));
        assert.deepEqual(await backend.getHistory(hub, 'rewound'), [
          { sequence: 0, event: marker(10) },
          { sequence: 1, event: marker(11) },
        ], 'ops apply in order: a replace after an append replaces it too');
        assert.equal((await backend.getInstance(hub, 'rewound'))?.completedAt, undefined);

        await backend.sendMessage(hub, message('rewound', raised('next')), ['Running']);
        item = await claimOnly(backend, hub, 'rewound');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(12)])]));
        assert.deepEqual((await backend.getHistory(hub, 'rewound')).map((r) => r.sequence), [0, 1, 2]);
      }));

    it('continues as new: clears the history, switches execution id and input, schedules activities for the new execution', () =>
      withBackend(open, async (backend, hub) => {
        const first = await start(backend, hub, 'loop', { input: '1' });
        let item = await claimOnly(backend, hub, 'loop');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [append([marker(0)])], { status: 'Running', output: '"old"' }));
        await backend.sendMessage(hub, message('loop', raised('again')), ['Running']);
        item = await claimOnly(backend, hub, 'loop');
        const next = startRequest('loop', { input: '2' });
        await commitOk(backend, hub, item, stepCommit(item, 'ContinuedAsNew', [
          replace([]),
          insertTasks([{ taskId: 0, name: 'Next', input: '"x"' }]),
          deliver(message('loop', next.startEvent, { executionId: next.executionId })),
        ], { status: 'ContinuedAsNew', executionId: next.executionId, input: '2', customStatus: '"c"' }));
        const record = await backend.getInstance(hub, 'loop');
        assert.ok(record);
        assert.equal(record.status, 'ContinuedAsNew');
        assert.notEqual(record.executionId, first.executionId);
        assert.equal(record.executionId, next.executionId);
        assert.equal(record.input, '2');
        assert.equal(record.output, undefined);
        assert.equal(record.customStatus, '"c"');
        assert.equal(record.completedAt, undefined);
        assert.deepEqual(await backend.getHistory(hub, 'loop'), []);
        const [task] = await backend.claimActivities(hub, ACTIVITY_CLAIM);
        assert.equal(task?.executionId, next.executionId);
        item = await claimOnly(backend, hub, 'loop');
        assert.deepEqual(item.messages.map((m) => [m.executionId, m.event]), [[next.executionId, next.startEvent]]);
      }));

    it('insertTasks: schedules activity tasks for the current execution', () =>
      withBackend(open, async (backend, hub) => {
        const request = await start(backend, hub, 'fan');
        const item = await claimOnly(backend, hub, 'fan');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 3, name: 'Square', input: '3' }, { taskId: 4, name: 'Noop' }])]));
        const tasks = await backend.claimActivities(hub, ACTIVITY_CLAIM);
        assert.deepEqual(tasks.map((t) => [t.instanceId, t.executionId, t.taskId, t.name, t.input, t.attempt]), [
          ['fan', request.executionId, 3, 'Square', '3', 1],
          ['fan', request.executionId, 4, 'Noop', undefined, 1],
        ]);
      }));

    it('deliverMessage: delivers messages to itself always, to existing instances finished or not, and drops those to missing ones', () =>
      withBackend(open, async (backend, hub) => {
        await startIn(backend, hub, 'running', 'Running');
        await startIn(backend, hub, 'finished', 'Completed');
        await start(backend, hub, 'sender');
        const item = await claimOnly(backend, hub, 'sender');
        const wakeAt = (await backend.now()) + LONG_LEASE_MS;
        await commitOk(backend, hub, item, stepCommit(item, 'Completed', [
          deliver(message('sender', timerFired(1), { visibleAt: wakeAt, executionId: item.instance.executionId })),
          deliver(message('running', raised('hello', '1'), { executionId: 'some-execution' })),
          deliver(message('finished', raised('late'))),
          deliver(message('missing', raised('lost'))),
        ]));
        assert.equal(await backend.nextWakeAt(hub), wakeAt, 'the message to itself was kept, though it finished');
        const items = await claimAll(backend, hub);
        assert.deepEqual(items.map((i) => i.instance.instanceId).sort(), ['finished', 'running']);
        const running = items.find((i) => i.instance.instanceId === 'running')!;
        assert.deepEqual(running.messages.map((m) => [m.executionId, m.event]), [['some-execution', raised('hello', '1')]]);

        await start(backend, hub, 'missing');
        const late = await claimOnly(backend, hub, 'missing');
        assert.deepEqual(eventTypes(late), ['ExecutionStarted'], 'nothing was kept for the missing instance');
      }));

    it('deleteAllMessages and dropUnleasedTasks: empty the inbox and drops unclaimed activity tasks, keeping leased ones and new messages to itself', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'ending');
        let item = await claimOnly(backend, hub, 'ending');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [insertTasks([{ taskId: 0, name: 'Leased' }])]));
        const [leased] = await backend.claimActivities(hub, { ...ACTIVITY_CLAIM, leaseMs: 10 * LONG_LEASE_MS });
        assert.ok(leased);
        await backend.sendMessage(hub, message('ending', raised('stop')), ['Running']);
        item = await claimOnly(backend, hub, 'ending');
        await commitOk(backend, hub, item, { instance: { status: 'Running' }, ops: [insertTasks([{ taskId: 1, name: 'Queued' }])] });
        await backend.sendMessage(hub, message('ending', raised('pending')), ['Running']);
        await backend.sendMessage(hub, message('ending', timerFired(2), { visibleAt: (await backend.now()) + LONG_LEASE_MS }), ['Running']);

        item = await claimOnly(backend, hub, 'ending');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('stop'), raised('pending')]);
        await commitOk(backend, hub, item, { instance: { status: 'Terminated' }, ops: [...FINISHING_OPS, deliver(message('ending', raised('kept')))] });
        assert.deepEqual(await backend.claimActivities(hub, ACTIVITY_CLAIM), [], 'the unclaimed task is gone');
        item = await claimOnly(backend, hub, 'ending');
        assert.deepEqual(item.messages.map((m) => m.event), [raised('kept')], 'only the message sent by that step is left');
        await commitOk(backend, hub, item, stepCommit(item, 'Terminated'));
        const wake = await backend.nextWakeAt(hub);
        assert.ok(wake !== undefined && wake > (await backend.now()) + 2 * LONG_LEASE_MS,
          'the future timer is gone too: only the leased task is due, much later');

        assert.deepEqual(await backend.completeActivity(hub, leased, message('ending', taskCompleted(0))), { ok: true }, 'the leased task can still report');
        const late = await claimOnly(backend, hub, 'ending');
        assert.deepEqual(eventTypes(late), ['TaskCompleted'], 'its result reaches the finished instance, for the runtime to discard');
      }));

    it('createInstance: creates sub-orchestrations, sends onConflict when the id is taken by an unfinished instance, and replaces a finished one', () =>
      withBackend(open, async (backend, hub) => {
        await startIn(backend, hub, 'busy-child', 'Running');
        await start(backend, hub, 'done-child');
        let done = await claimOnly(backend, hub, 'done-child');
        await commitOk(backend, hub, done, stepCommit(done, 'Completed', [append([marker(0)])]));
        await start(backend, hub, 'parent');
        const parent = await claimOnly(backend, hub, 'parent');

        const conflict = (childId: string): ReturnType<typeof message> =>
          message('parent', raised(`conflict:${childId}`), { executionId: parent.instance.executionId });
        const fresh = startRequest('new-child', { input: '"a"', parentInstanceId: 'parent' });
        const busy = startRequest('busy-child', { parentInstanceId: 'parent' });
        const replacing = startRequest('done-child', { parentInstanceId: 'parent' });
        await commitOk(backend, hub, parent, stepCommit(parent, 'Running', [
          { op: 'createInstance', request: fresh, onConflict: conflict('new-child') },
          { op: 'createInstance', request: busy, onConflict: conflict('busy-child') },
          { op: 'createInstance', request: replacing, onConflict: conflict('done-child') },
        ]));

        const child = await backend.getInstance(hub, 'new-child');
        assert.ok(child);
        assert.equal(child.status, 'Pending');
        assert.equal(child.executionId, fresh.executionId);
        assert.equal(child.parentInstanceId, 'parent');
        assert.equal(child.input, '"a"');
        const busyChild = await backend.getInstance(hub, 'busy-child');
        assert.equal(busyChild?.status, 'Running', 'the busy child is untouched');
        assert.notEqual(busyChild.executionId, busy.executionId);
        assert.equal((await backend.getInstance(hub, 'done-child'))?.executionId, replacing.executionId);
        assert.deepEqual(await backend.getHistory(hub, 'done-child'), []);

        const items = await claimAll(backend, hub);
        const byId = new Map(items.map((i) => [i.instance.instanceId, i]));
        assert.deepEqual([...byId.keys()].sort(), ['done-child', 'new-child', 'parent']);
        assert.deepEqual(byId.get('parent')!.messages.map((m) => [m.executionId, m.event]), [
          [parent.instance.executionId, raised('conflict:busy-child')],
        ]);
        assert.deepEqual(byId.get('new-child')!.messages.map((m) => [m.executionId, m.event]), [[fresh.executionId, fresh.startEvent]]);
        done = byId.get('done-child')!;
        assert.deepEqual(done.messages.map((m) => m.event), [replacing.startEvent]);
      }));
  });
}
