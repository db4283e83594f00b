/**
 * The ops a step's commit carries, in the order the rules need (src/runtime/orchestration-step.ts): the
 * backends apply them as given, so the rules are checked here, as data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommitOp } from '../../src/backend/backend.js';
import type { OrchestrationContext, OrchestratorFunction } from '../../src/core/context.js';
import type { InboxEvent } from '../../src/core/history.js';
import { Task } from '../../src/core/task.js';
import { planOrchestrationStep, type StepItem } from '../../src/runtime/orchestration-step.js';

const TIMESTAMP = '2024-01-01T00:00:00.000Z';

function firstStep(name: string, inbox: InboxEvent[] = [], parent = false): StepItem {
  const start: InboxEvent = { type: 'ExecutionStarted', eventId: -1, timestamp: TIMESTAMP, name, executionId: 'e1', input: '1' };
  if (parent) start.parentInstance = { instanceId: 'parent', executionId: 'pe', name: 'Parent', taskScheduledId: 3 };
  return {
    instance: { instanceId: 'self', executionId: 'e1', name, status: 'Pending', createdAt: 0, lastUpdatedAt: 0 },
    history: [],
    historyLength: 0,
    messages: [start, ...inbox].map((event, index) => ({ id: String(index + 1), executionId: 'e1', event })),
    lockToken: 'token',
    claimedAt: Date.parse(TIMESTAMP),
    failedAttempts: 0,
  };
}

function opsOf(item: StepItem, orchestrator: OrchestratorFunction): CommitOp[] {
  let executions = 0;
  const decision = planOrchestrationStep(item, {
    resolveOrchestrator: () => orchestrator,
    maxPayloadBytes: 1 << 20,
    newExecutionId: () => `new-${++executions}`,
  });
  assert.equal(decision.kind, 'commit');
  return decision.commit.ops;
}

/** The op kinds, with the instance a creation or a delivery is for. */
function shape(ops: CommitOp[]): string[] {
  return ops.map((op) => {
    if (op.op === 'deliverMessage') return `deliverMessage ${op.message.instanceId} ${op.message.event.type}`;
    if (op.op === 'createInstance') return `createInstance ${op.request.instanceId}`;
    return op.op;
  });
}

describe('the ops of a step', () => {
  it('of a step that finishes: history, consumed messages, then the inbox and unleased tasks dropped, then what it sends', () => {
    const ops = opsOf(firstStep('Finishing', [], true), (context: OrchestrationContext) => {
      context.sendEvent('other', 'bye');
      return 'done';
    });
    assert.deepEqual(shape(ops), [
      'appendHistory',
      'deleteMessages',
      'deleteAllMessages',
      'dropUnleasedTasks',
      'deliverMessage other EventRaised',
      'deliverMessage parent SubOrchestrationInstanceCompleted',
    ]);
    assert.deepEqual(ops[1], { op: 'deleteMessages', ids: ['1'] });
  });

  it('of a step that starts children and tasks: the tasks, then every creation before any message', () => {
    const ops = opsOf(firstStep('Fanning'), function* (context: OrchestrationContext) {
      context.sendEvent('child', 'hello');
      const child = context.callSubOrchestrator('Child', undefined, 'child');
      const task = context.callActivity('Work');
      yield Task.all([child, task]);
    } as OrchestratorFunction);
    assert.deepEqual(shape(ops), ['appendHistory', 'deleteMessages', 'insertTasks', 'createInstance child', 'deliverMessage child EventRaised']);
  });

  it('of a continue-as-new: the history cleared, the new start and carried events sent, then the rest requeued behind them', () => {
    const ops = opsOf(firstStep('Looping', [{ type: 'EventRaised', eventId: -1, timestamp: TIMESTAMP, name: 'early' }]), (context: OrchestrationContext) => {
      context.continueAsNew(2, { preserveUnprocessedEvents: true });
    });
    assert.deepEqual(shape(ops), [
      'replaceHistory',
      'deleteMessages',
      'deliverMessage self ExecutionStarted',
      'deliverMessage self EventRaised',
      'requeueMessages',
    ]);
  });

  it('of late messages for a finished instance: only their deletion', () => {
    const item = firstStep('Done');
    item.instance.status = 'Completed';
    assert.deepEqual(opsOf(item, () => undefined), [{ op: 'deleteMessages', ids: ['1'] }]);
    const decision = planOrchestrationStep(item, { resolveOrchestrator: () => undefined, maxPayloadBytes: 1 << 20, newExecutionId: () => 'new' });
    assert.equal(decision.kind === 'commit' && decision.commit.instance.unchanged, true, 'its times stay: it is not finished again');
  });
});
