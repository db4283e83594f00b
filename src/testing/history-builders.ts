/**
 * Small factories for history events, to unit-test orchestrations without a database: build the events
 * a step would receive, call executeOrchestrationStep, and look at the actions it returns. Payloads are
 * given as values and serialised for you (`undefined` means no payload); every event takes an optional
 * ISO timestamp and otherwise gets a fixed one, so tests stay deterministic.
 */
import { toFailureDetails } from '../core/failure.js';
import type {
  ContinueAsNewEvent,
  EventRaisedEvent,
  EventSentEvent,
  ExecutionCompletedEvent,
  ExecutionResumedEvent,
  ExecutionRewoundEvent,
  ExecutionStartedEvent,
  ExecutionSuspendedEvent,
  ExecutionTerminatedEvent,
  FailureDetails,
  OrchestratorCompletedEvent,
  OrchestratorStartedEvent,
  ParentInstance,
  SubOrchestrationInstanceCompletedEvent,
  SubOrchestrationInstanceCreatedEvent,
  SubOrchestrationInstanceFailedEvent,
  TaskCompletedEvent,
  TaskFailedEvent,
  TaskScheduledEvent,
  TimerCreatedEvent,
  TimerFiredEvent,
} from '../core/history.js';

export const DEFAULT_EVENT_TIMESTAMP = '2024-01-01T00:00:00.000Z';

/** A failure as an Error (converted as the engine converts thrown errors) or as ready-made details. */
export type FailureInput = Error | FailureDetails;

export function newOrchestratorStartedEvent(timestamp = DEFAULT_EVENT_TIMESTAMP): OrchestratorStartedEvent {
  return { type: 'OrchestratorStarted', eventId: -1, timestamp };
}

export function newOrchestratorCompletedEvent(timestamp = DEFAULT_EVENT_TIMESTAMP): OrchestratorCompletedEvent {
  return { type: 'OrchestratorCompleted', eventId: -1, timestamp };
}

export function newExecutionStartedEvent(
  name: string,
  input?: unknown,
  options: { executionId?: string; parentInstance?: ParentInstance; scheduledStartTime?: string; timestamp?: string; tags?: Record<string, string> } = {},
): ExecutionStartedEvent {
  const event: ExecutionStartedEvent = {
    type: 'ExecutionStarted',
    eventId: -1,
    timestamp: options.timestamp ?? DEFAULT_EVENT_TIMESTAMP,
    name,
    executionId: options.executionId ?? 'execution-1',
  };
  const started = withOptional(withOptional(withOptional(event, 'parentInstance', options.parentInstance), 'scheduledStartTime', options.scheduledStartTime), 'tags', options.tags);
  return withPayload(started, 'input', input);
}

export function newExecutionCompletedEvent(result?: unknown, timestamp = DEFAULT_EVENT_TIMESTAMP): ExecutionCompletedEvent {
  return withPayload<ExecutionCompletedEvent>({ type: 'ExecutionCompleted', eventId: -1, timestamp, orchestrationStatus: 'Completed' }, 'result', result);
}

export function newExecutionFailedEvent(failure: FailureInput, timestamp = DEFAULT_EVENT_TIMESTAMP): ExecutionCompletedEvent {
  return { type: 'ExecutionCompleted', eventId: -1, timestamp, orchestrationStatus: 'Failed', failureDetails: details(failure) };
}

export function newExecutionTerminatedEvent(reason?: string, options: { recursive?: boolean; timestamp?: string } = {}): ExecutionTerminatedEvent {
  const event: ExecutionTerminatedEvent = { type: 'ExecutionTerminated', eventId: -1, timestamp: options.timestamp ?? DEFAULT_EVENT_TIMESTAMP };
  return withOptional(withOptional(event, 'reason', reason), 'recursive', options.recursive);
}

export function newExecutionSuspendedEvent(reason?: string, timestamp = DEFAULT_EVENT_TIMESTAMP): ExecutionSuspendedEvent {
  return withOptional<ExecutionSuspendedEvent>({ type: 'ExecutionSuspended', eventId: -1, timestamp }, 'reason', reason);
}

export function newExecutionResumedEvent(reason?: string, timestamp = DEFAULT_EVENT_TIMESTAMP): ExecutionResumedEvent {
  return withOptional<ExecutionResumedEvent>({ type: 'ExecutionResumed', eventId: -1, timestamp }, 'reason', reason);
}

export function newExecutionRewoundEvent(reason?: string, timestamp = DEFAULT_EVENT_TIMESTAMP): ExecutionRewoundEvent {
  return withOptional<ExecutionRewoundEvent>({ type: 'ExecutionRewound', eventId: -1, timestamp }, 'reason', reason);
}

export function newContinueAsNewEvent(input?: unknown, timestamp = DEFAULT_EVENT_TIMESTAMP): ContinueAsNewEvent {
  return withPayload<ContinueAsNewEvent>({ type: 'ContinueAsNew', eventId: -1, timestamp }, 'result', input);
}

export function newTaskScheduledEvent(eventId: number, name: string, input?: unknown, timestamp = DEFAULT_EVENT_TIMESTAMP): TaskScheduledEvent {
  return withPayload<TaskScheduledEvent>({ type: 'TaskScheduled', eventId, timestamp, name }, 'input', input);
}

export function newTaskCompletedEvent(taskScheduledId: number, result?: unknown, timestamp = DEFAULT_EVENT_TIMESTAMP): TaskCompletedEvent {
  return withPayload<TaskCompletedEvent>({ type: 'TaskCompleted', eventId: -1, timestamp, taskScheduledId }, 'result', result);
}

export function newTaskFailedEvent(taskScheduledId: number, failure: FailureInput, timestamp = DEFAULT_EVENT_TIMESTAMP): TaskFailedEvent {
  return { type: 'TaskFailed', eventId: -1, timestamp, taskScheduledId, failureDetails: details(failure) };
}

export function newTimerCreatedEvent(eventId: number, fireAt: Date | string, timestamp = DEFAULT_EVENT_TIMESTAMP): TimerCreatedEvent {
  return { type: 'TimerCreated', eventId, timestamp, fireAt: isoOf(fireAt) };
}

export function newTimerFiredEvent(timerId: number, fireAt: Date | string, timestamp = DEFAULT_EVENT_TIMESTAMP): TimerFiredEvent {
  return { type: 'TimerFired', eventId: -1, timestamp, timerId, fireAt: isoOf(fireAt) };
}

export function newSubOrchestrationInstanceCreatedEvent(
  eventId: number,
  name: string,
  instanceId: string,
  input?: unknown,
  timestamp = DEFAULT_EVENT_TIMESTAMP,
): SubOrchestrationInstanceCreatedEvent {
  return withPayload<SubOrchestrationInstanceCreatedEvent>({ type: 'SubOrchestrationInstanceCreated', eventId, timestamp, name, instanceId }, 'input', input);
}

export function newSubOrchestrationInstanceCompletedEvent(
  taskScheduledId: number,
  result?: unknown,
  timestamp = DEFAULT_EVENT_TIMESTAMP,
): SubOrchestrationInstanceCompletedEvent {
  return withPayload<SubOrchestrationInstanceCompletedEvent>({ type: 'SubOrchestrationInstanceCompleted', eventId: -1, timestamp, taskScheduledId }, 'result', result);
}

export function newSubOrchestrationInstanceFailedEvent(
  taskScheduledId: number,
  failure: FailureInput,
  timestamp = DEFAULT_EVENT_TIMESTAMP,
): SubOrchestrationInstanceFailedEvent {
  return { type: 'SubOrchestrationInstanceFailed', eventId: -1, timestamp, taskScheduledId, failureDetails: details(failure) };
}

export function newEventRaisedEvent(name: string, input?: unknown, timestamp = DEFAULT_EVENT_TIMESTAMP): EventRaisedEvent {
  return withPayload<EventRaisedEvent>({ type: 'EventRaised', eventId: -1, timestamp, name }, 'input', input);
}

export function newEventSentEvent(eventId: number, instanceId: string, name: string, input?: unknown, timestamp = DEFAULT_EVENT_TIMESTAMP): EventSentEvent {
  return withPayload<EventSentEvent>({ type: 'EventSent', eventId, timestamp, instanceId, name }, 'input', input);
}

function details(failure: FailureInput): FailureDetails {
  return failure instanceof Error ? toFailureDetails(failure) : failure;
}

function isoOf(time: Date | string): string {
  return typeof time === 'string' ? time : time.toISOString();
}

/** Sets `key` to the JSON of `value`, leaving it out when there is no value. */
function withPayload<T extends object>(event: T, key: 'input' | 'result', value: unknown): T {
  const json = value === undefined ? undefined : JSON.stringify(value);
  return json === undefined ? event : { ...event, [key]: json };
}

function withOptional<T extends object>(event: T, key: string, value: unknown): T {
  return value === undefined ? event : { ...event, [key]: value };
}
