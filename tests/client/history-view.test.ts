/** S-QUERY-4: the history as the Durable Functions HTTP API shows it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldHistory } from '../../src/client/history-view.js';
import type { HistoryEvent } from '../../src/core/history.js';

const t = (s: number) => `2026-11-26T10:00:0${s}.000Z`;
const history: HistoryEvent[] = [
  { type: 'OrchestratorStarted', eventId: -1, timestamp: t(0) },
  { type: 'ExecutionStarted', eventId: -1, timestamp: t(0), name: 'Fan', executionId: 'e1', input: '{"n":2}' },
  { type: 'TaskScheduled', eventId: 0, timestamp: t(0), name: 'A', input: '1' },
  { type: 'TaskScheduled', eventId: 1, timestamp: t(0), name: 'B', input: '2' },
  { type: 'OrchestratorCompleted', eventId: -1, timestamp: t(0) },
  { type: 'OrchestratorStarted', eventId: -1, timestamp: t(1) },
  { type: 'TaskCompleted', eventId: -1, timestamp: t(1), taskScheduledId: 0, result: '"a"' },
  { type: 'OrchestratorCompleted', eventId: -1, timestamp: t(1) },
  { type: 'OrchestratorStarted', eventId: -1, timestamp: t(2) },
  { type: 'TaskFailed', eventId: -1, timestamp: t(2), taskScheduledId: 1, failureDetails: { errorType: 'Error', errorMessage: 'boom', details: '{"code":7}' } },
  {
    type: 'ExecutionCompleted',
    eventId: -1,
    timestamp: t(2),
    orchestrationStatus: 'Failed',
    failureDetails: { errorType: 'TaskFailedError', errorMessage: 'activity B failed' },
  },
  { type: 'OrchestratorCompleted', eventId: -1, timestamp: t(2) },
];

describe('foldHistory', () => {
  it('leaves out step markers and folds TaskScheduled into its completion', () => {
    const view = foldHistory(history, { showHistoryOutput: true });
    assert.deepEqual(
      view.map((e) => e.EventType),
      ['ExecutionStarted', 'TaskCompleted', 'TaskFailed', 'ExecutionCompleted'],
    );
    assert.deepEqual(view[1], { EventType: 'TaskCompleted', EventId: -1, Timestamp: t(1), TaskScheduledId: 0, FunctionName: 'A', ScheduledTime: t(0), Result: 'a' });
    assert.equal(view[2]!.FunctionName, 'B');
    assert.equal(view[2]!.Reason, 'boom');
    assert.deepEqual(view[2]!.FailureDetails, { ErrorType: 'Error', ErrorMessage: 'boom', Details: { code: 7 } });
    assert.equal(view[0]!.FunctionName, 'Fan');
    assert.deepEqual(view[0]!.Input, { n: 2 });
  });

  it('omits Result keys unless showHistoryOutput and Input keys unless showInput', () => {
    const view = foldHistory(history, { showInput: false });
    assert.ok(!('Result' in view[1]!));
    assert.ok(!('Input' in view[0]!));
  });

  it('keeps a TaskScheduled that has not completed yet', () => {
    const view = foldHistory(history.slice(0, 5));
    assert.deepEqual(view.map((e) => e.EventType), ['ExecutionStarted', 'TaskScheduled', 'TaskScheduled']);
    assert.equal(view[1]!.Name, 'A');
  });
});

describe('foldHistory of tags', () => {
  it('shows what a TagsChanged set and removed, and the tags an execution started with', () => {
    const view = foldHistory([
      { type: 'OrchestratorStarted', eventId: -1, timestamp: t(0) },
      { type: 'ExecutionStarted', eventId: -1, timestamp: t(0), name: 'Order', executionId: 'e1', tags: { tenant: 'acme' } },
      { type: 'TagsChanged', eventId: -1, timestamp: t(0), set: { stage: 'paid', tenant: 'bolt' }, remove: ['draft'] },
      { type: 'OrchestratorCompleted', eventId: -1, timestamp: t(0) },
    ]);
    assert.deepEqual(view[0]!.Tags, { tenant: 'acme' });
    assert.deepEqual(view[1], { EventType: 'TagsChanged', EventId: -1, Timestamp: t(0), TagsSet: { stage: 'paid', tenant: 'bolt' }, TagsRemoved: ['draft'] });
    assert.ok(!('Tags' in foldHistory(history)[0]!), 'no Tags key for an execution started without tags');
  });
});
