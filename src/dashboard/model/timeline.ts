/**
 * The instance page's timeline (a Gantt chart) from the raw history: one span per activity, timer and
 * sub-orchestration from when it was scheduled to when its outcome arrived, and markers for events and
 * changes of the instance's life. A retry policy shows as a failed span, a retry timer, and the next
 * attempt of the same name numbered: a timer created in the step that took in a failure, and a task of
 * the failed one's name scheduled in the step that took in that timer, are its retry and next attempt.
 */
import type { RawEvent } from '../api/types.js';
import { describeTagChanges } from './tag-changes.js';

export type SpanKind = 'activity' | 'timer' | 'retry-timer' | 'suborchestration';
export type SpanOutcome = 'completed' | 'failed' | 'running' | 'waiting' | 'fired';

export interface TimelineSpan {
  kind: SpanKind;
  /** The activity's or orchestrator's name; for timers, what they wait for. */
  label: string;
  taskId: number;
  start: number;
  /** When the outcome arrived; for a span still open, the timeline's end. */
  end: number;
  outcome: SpanOutcome;
  /** 1, or the attempt number under a retry policy. */
  attempt: number;
  /** A sub-orchestration's instance. */
  instanceId?: string;
  /** A timer's due time. */
  fireAt?: number;
  error?: string;
}

export type MarkerKind = 'event-raised' | 'event-sent' | 'lifecycle' | 'failure' | 'success';

export interface TimelineMarker {
  kind: MarkerKind;
  label: string;
  time: number;
}

export interface Timeline {
  start: number;
  end: number;
  spans: TimelineSpan[];
  markers: TimelineMarker[];
}

/** `now` closes spans still open while the instance runs; a finished instance's timeline ends at its last event. */
export function buildTimeline(events: readonly RawEvent[], now: number, finished: boolean): Timeline {
  const spans: TimelineSpan[] = [];
  const markers: TimelineMarker[] = [];
  const open = new Map<number, TimelineSpan>();
  const retryTimers = new Map<number, TimelineSpan>();
  let failedThisStep: TimelineSpan | undefined;
  let retryingThisStep: TimelineSpan | undefined;
  const times = events.map((event) => Date.parse(event.timestamp)).filter((time) => !Number.isNaN(time));
  const start = times.length > 0 ? Math.min(...times) : now;
  const end = finished ? Math.max(start, ...times) : Math.max(now, start, ...times);

  const schedule = (kind: SpanKind, event: RawEvent, label: string, extra: Partial<TimelineSpan> = {}) => {
    const retried = retryingThisStep && retryingThisStep.kind === kind && retryingThisStep.label === label ? retryingThisStep : undefined;
    const span: TimelineSpan = { kind, label, taskId: event.eventId, start: Date.parse(event.timestamp), end, outcome: 'running', attempt: retried ? retried.attempt + 1 : 1, ...extra };
    spans.push(span);
    open.set(event.eventId, span);
  };
  const settle = (event: RawEvent, outcome: SpanOutcome) => {
    const span = event.taskScheduledId === undefined ? undefined : open.get(event.taskScheduledId);
    if (!span) return;
    open.delete(span.taskId);
    span.end = Date.parse(event.timestamp);
    span.outcome = outcome;
    if (outcome === 'failed') {
      span.error = event.failureDetails?.errorMessage;
      failedThisStep = span;
    }
  };

  for (const event of events) {
    const time = Date.parse(event.timestamp);
    switch (event.type) {
      case 'OrchestratorStarted':
        failedThisStep = undefined;
        retryingThisStep = undefined;
        break;
      case 'TaskScheduled':
        schedule('activity', event, event.name ?? 'activity');
        break;
      case 'SubOrchestrationInstanceCreated':
        schedule('suborchestration', event, event.name ?? 'sub-orchestration', event.instanceId ? { instanceId: event.instanceId } : {});
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        settle(event, 'completed');
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed':
        settle(event, 'failed');
        break;
      case 'TimerCreated': {
        const fireAt = event.fireAt ? Date.parse(event.fireAt) : time;
        const retryOf = failedThisStep;
        const span: TimelineSpan = {
          kind: retryOf ? 'retry-timer' : 'timer',
          label: retryOf ? `retry ${retryOf.label}` : 'timer',
          taskId: event.eventId,
          start: time,
          end: Math.min(fireAt, end),
          outcome: 'waiting',
          attempt: 1,
          fireAt,
        };
        spans.push(span);
        open.set(event.eventId, span);
        if (retryOf) retryTimers.set(event.eventId, retryOf);
        break;
      }
      case 'TimerFired': {
        const span = event.timerId === undefined ? undefined : open.get(event.timerId);
        if (span) {
          open.delete(span.taskId);
          span.outcome = 'fired';
          span.end = event.fireAt ? Date.parse(event.fireAt) : time;
        }
        if (event.timerId !== undefined) retryingThisStep = retryTimers.get(event.timerId) ?? retryingThisStep;
        break;
      }
      case 'EventRaised':
        markers.push({ kind: 'event-raised', label: `event ${event.name ?? ''}`.trim(), time });
        break;
      case 'EventSent':
        markers.push({ kind: 'event-sent', label: `sent ${event.name ?? ''} to ${event.instanceId ?? ''}`.trim(), time });
        break;
      case 'ExecutionStarted':
        markers.push({ kind: 'lifecycle', label: 'started', time });
        break;
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ExecutionRewound':
      case 'ExecutionTerminated':
        markers.push({ kind: event.type === 'ExecutionTerminated' ? 'failure' : 'lifecycle', label: event.type.replace('Execution', '').toLowerCase(), time });
        break;
      case 'TagsChanged':
        markers.push({ kind: 'lifecycle', label: `tags ${describeTagChanges(event.set, event.remove)}`.trim(), time });
        break;
      case 'ContinueAsNew':
        markers.push({ kind: 'lifecycle', label: 'continued as new', time });
        break;
      case 'ExecutionCompleted':
        markers.push({ kind: event.orchestrationStatus === 'Failed' ? 'failure' : 'success', label: (event.orchestrationStatus ?? 'completed').toLowerCase(), time });
        break;
    }
  }
  return { start, end, spans, markers };
}
