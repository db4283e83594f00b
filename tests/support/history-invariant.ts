/**
 * The history invariant of docs/reliability.md: dense, unique sequence numbers; at most one completion per
 * scheduled task; the status matches the last terminal event; nothing after a terminal event.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import type { HistoryEvent } from '../../src/core/history.js';

const TERMINAL: ReadonlySet<string> = new Set(['ExecutionCompleted', 'ExecutionTerminated']);
const STEP_MARKERS: ReadonlySet<string> = new Set(['OrchestratorStarted', 'OrchestratorCompleted']);

export async function assertHistoryInvariant(backend: Backend, hub: string, instanceId: string): Promise<HistoryEvent[]> {
  const instance = await backend.getInstance(hub, instanceId);
  assert.ok(instance, `instance ${instanceId} exists`);
  const records = await backend.getHistory(hub, instanceId);
  records.forEach((record, index) => assert.equal(record.sequence, index, `${instanceId}: sequence numbers are dense from 0`));
  const events = records.map((record) => record.event);

  const completions = new Map<number, number>();
  for (const event of events) {
    if ('taskScheduledId' in event) completions.set(event.taskScheduledId, (completions.get(event.taskScheduledId) ?? 0) + 1);
  }
  for (const [taskId, count] of completions) assert.equal(count, 1, `${instanceId}: task ${taskId} has ${count} completions`);

  const scheduled = new Set<number>();
  for (const event of events) {
    if (event.type === 'TaskScheduled' || event.type === 'SubOrchestrationInstanceCreated' || event.type === 'TimerCreated') {
      assert.ok(!scheduled.has(event.eventId), `${instanceId}: task id ${event.eventId} is scheduled once`);
      scheduled.add(event.eventId);
    }
  }

  const terminalIndex = events.findIndex((event) => TERMINAL.has(event.type));
  if (terminalIndex >= 0) {
    const after = events.slice(terminalIndex + 1).filter((event) => !STEP_MARKERS.has(event.type));
    assert.deepEqual(after.map((e) => e.type), [], `${instanceId}: no events after the terminal event`);
    const terminal = events[terminalIndex]!;
    const expected = terminal.type === 'ExecutionTerminated' ? 'Terminated' : terminal.type === 'ExecutionCompleted' ? terminal.orchestrationStatus : '';
    assert.equal(instance.status, expected, `${instanceId}: status matches the terminal event`);
  } else {
    assert.ok(!['Completed', 'Failed', 'Terminated'].includes(instance.status), `${instanceId}: a finished status has a terminal event`);
  }
  return events;
}
