/**
 * What the history says about task ids, regardless of the code: which actions were recorded and which
 * have their completion. The engine uses it to drop inbox messages that complete nothing (a duplicate
 * or late delivery), so each task id gets at most one completion (history invariant of docs/reliability.md).
 */
import { isActionEvent, type ActionEvent } from './actions.js';
import type { HistoryEvent, SubOrchestrationInstanceCreatedEvent } from './history.js';

type CompletionEvent = Extract<HistoryEvent, { type: 'TaskCompleted' | 'TaskFailed' | 'SubOrchestrationInstanceCompleted' | 'SubOrchestrationInstanceFailed' | 'TimerFired' }>;

export class HistoryLedger {
  private readonly recorded = new Map<number, ActionEvent>();
  private readonly finished = new Set<number>();
  hasExecutionStarted = false;

  record(event: HistoryEvent): void {
    if (event.type === 'ExecutionStarted') this.hasExecutionStarted = true;
    else if (isActionEvent(event)) this.recorded.set(event.eventId, event);
    else {
      const completed = completedTaskId(event);
      if (completed !== undefined) this.finished.add(completed);
    }
  }

  /** Whether a completion event finishes a recorded, still open task of the right kind. */
  completesOpenTask(event: CompletionEvent): boolean {
    const id = completedTaskId(event) ?? -1;
    const action = this.recorded.get(id);
    return action !== undefined && !this.finished.has(id) && action.type === SCHEDULED_BY[event.type];
  }

  isOpen(id: number): boolean {
    return this.recorded.has(id) && !this.finished.has(id);
  }

  /** The ids of the activities scheduled and not yet completed or failed. */
  openActivities(): number[] {
    const open: number[] = [];
    for (const [id, event] of this.recorded) if (event.type === 'TaskScheduled' && !this.finished.has(id)) open.push(id);
    return open;
  }

  /** Sub-orchestrations created and not yet completed or failed; a child retried under one id appears once. */
  openSubOrchestrations(): SubOrchestrationInstanceCreatedEvent[] {
    const byInstance = new Map<string, SubOrchestrationInstanceCreatedEvent>();
    for (const event of this.recorded.values()) {
      if (event.type === 'SubOrchestrationInstanceCreated' && !this.finished.has(event.eventId)) byInstance.set(event.instanceId, event);
    }
    return [...byInstance.values()];
  }
}

const SCHEDULED_BY: Record<CompletionEvent['type'], ActionEvent['type']> = {
  TaskCompleted: 'TaskScheduled',
  TaskFailed: 'TaskScheduled',
  SubOrchestrationInstanceCompleted: 'SubOrchestrationInstanceCreated',
  SubOrchestrationInstanceFailed: 'SubOrchestrationInstanceCreated',
  TimerFired: 'TimerCreated',
};

export function isCompletionEvent(event: HistoryEvent): event is CompletionEvent {
  return event.type in SCHEDULED_BY;
}

/** The task id a completion event answers; undefined for other events. */
export function completedTaskId(event: HistoryEvent): number | undefined {
  switch (event.type) {
    case 'TaskCompleted':
    case 'TaskFailed':
    case 'SubOrchestrationInstanceCompleted':
    case 'SubOrchestrationInstanceFailed':
      return event.taskScheduledId;
    case 'TimerFired':
      return event.timerId;
    default:
      return undefined;
  }
}

export function isFailureEvent(event: HistoryEvent): event is Extract<HistoryEvent, { type: 'TaskFailed' | 'SubOrchestrationInstanceFailed' }> {
  return event.type === 'TaskFailed' || event.type === 'SubOrchestrationInstanceFailed';
}
