/** The rules shared by every backend's commit (src/backend/step-commit.ts), as plain functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestrationCommit } from '../../src/backend/backend.js';
import {
  MAX_STEP_TIME_LAG_MS,
  activityStepFallback,
  commitSignals,
  insertedTaskCount,
  leasingTasks,
  unleasedTaskCount,
  writesOnlyItself,
  type InstanceAtCompletion,
} from '../../src/backend/step-commit.js';

const message = (instanceId: string) => ({ instanceId, event: { type: 'EventRaised' as const, eventId: -1, timestamp: '2024-01-01T00:00:00.000Z', name: 'e' } });
const tasks = (count: number) => Array.from({ length: count }, (_, taskId) => ({ taskId, name: 'Work' }));

describe('step commit rules', () => {
  it('signal orchestration work only when the commit readied an inbox, activity work only for tasks not leased, and a finish', () => {
    const running: OrchestrationCommit = { instance: { status: 'Running' }, ops: [{ op: 'insertTasks', tasks: tasks(2), lease: { workerId: 'w', max: 2, leaseMs: 1 } }] };
    assert.deepEqual(commitSignals('i', running, false), []);
    assert.deepEqual(commitSignals('i', running, true), [{ kind: 'orchestration' }]);
    const partly: OrchestrationCommit = { instance: { status: 'Running' }, ops: [{ op: 'insertTasks', tasks: tasks(3), lease: { workerId: 'w', max: 2, leaseMs: 1 } }] };
    assert.deepEqual(commitSignals('i', partly, false), [{ kind: 'activity' }]);
    const done: OrchestrationCommit = { instance: { status: 'Failed' }, ops: [] };
    assert.deepEqual(commitSignals('i', done, false), [{ kind: 'finished', instanceId: 'i' }]);
  });

  it('lease the new tasks of a commit, up to the maximum in all, across its insertions', () => {
    const commit: OrchestrationCommit = {
      instance: { status: 'Running' },
      ops: [{ op: 'insertTasks', tasks: tasks(2) }, { op: 'deleteAllMessages' }, { op: 'insertTasks', tasks: tasks(2) }, { op: 'insertTasks', tasks: tasks(1) }],
    };
    const leased = leasingTasks(commit, { workerId: 'w', max: 3, leaseMs: 5 });
    assert.deepEqual(leased.ops.map((op) => (op.op === 'insertTasks' ? op.lease?.max ?? 0 : '-')), [2, '-', 1, 0]);
    assert.equal(insertedTaskCount(leased), 5);
    assert.equal(unleasedTaskCount(leased), 2);
    assert.equal(unleasedTaskCount(commit), 5);
  });

  it('tell a commit that writes only to its own instance from one that writes to others', () => {
    assert.equal(writesOnlyItself('i', [{ op: 'deliverMessage', message: message('i') }, { op: 'deleteAllMessages' }]), true);
    assert.equal(writesOnlyItself('i', [{ op: 'deliverMessage', message: message('other') }]), false);
    const request = { instanceId: 'child', executionId: 'e', name: 'C', startEvent: { type: 'ExecutionStarted' as const, eventId: -1, timestamp: '', name: 'C', executionId: 'e' } };
    assert.equal(writesOnlyItself('i', [{ op: 'createInstance', request, onConflict: message('i') }]), false);
  });

  it('commit a step computed ahead only for the instance as its run believed, claimable, with nothing else waiting, dated by the store clock', () => {
    const now = 1_000_000;
    const step = { executionId: 'e', historyLength: 5, stepAt: now - 2 };
    const free: InstanceAtCompletion = {
      executionId: 'e', historyLength: 5, lockToken: undefined, lockExpiresAt: undefined, failedAttempts: 0, hasVisibleMessage: false, hasTask: false,
    };
    assert.equal(activityStepFallback(free, step, now), undefined);
    assert.equal(activityStepFallback({ ...free, lockExpiresAt: now - 1 }, step, now), undefined, "an abandon's not-before time that has passed");
    assert.equal(activityStepFallback({ ...free, executionId: undefined }, step, now), 'history-moved', 'the instance is gone');
    assert.equal(activityStepFallback({ ...free, executionId: 'other' }, step, now), 'history-moved');
    assert.equal(activityStepFallback({ ...free, historyLength: 6 }, step, now), 'history-moved');
    assert.equal(activityStepFallback({ ...free, lockToken: 't', lockExpiresAt: now + 1 }, step, now), 'instance-leased');
    assert.equal(activityStepFallback({ ...free, lockExpiresAt: now + 1 }, step, now), 'instance-leased', "an abandon's not-before time");
    assert.equal(activityStepFallback({ ...free, lockToken: 't', lockExpiresAt: now - 1 }, step, now), 'failed-attempts', 'a lease that ran out');
    assert.equal(activityStepFallback({ ...free, failedAttempts: 1 }, step, now), 'failed-attempts');
    assert.equal(activityStepFallback({ ...free, hasVisibleMessage: true }, step, now), 'inbox-not-empty');
    assert.equal(activityStepFallback({ ...free, hasTask: true }, step, now), 'tasks-left');
    assert.equal(activityStepFallback(free, { ...step, stepAt: now + 1 }, now), 'step-time-off');
    assert.equal(activityStepFallback(free, { ...step, stepAt: now - MAX_STEP_TIME_LAG_MS }, now), undefined);
    assert.equal(activityStepFallback(free, { ...step, stepAt: now - MAX_STEP_TIME_LAG_MS - 1 }, now), 'step-time-off');
    assert.equal(activityStepFallback({ ...free, historyLength: 6, hasVisibleMessage: true }, step, now), 'history-moved', 'the first reason in order');
  });
});
