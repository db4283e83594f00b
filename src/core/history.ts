/**
 * History events: the append-only record of one orchestration execution. Field names mirror the Durable
 * Task Framework's (camelCase here, PascalCase in the HTTP API), so the HTTP layer can show them as
 * Durable Functions does. Payloads (`input`, `result`) are JSON text, serialised once where they enter the
 * system and never parsed by the store; `undefined` means "no value".
 */

/** A JSON document as text, exactly as stored. */
export type JsonText = string;

export type RuntimeStatus =
  | 'Pending'
  | 'Running'
  | 'Completed'
  | 'ContinuedAsNew'
  | 'Failed'
  | 'Terminated'
  | 'Suspended';

export const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
];

export const FINISHED_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isFinished(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated';
}

/** Why a task or an orchestration failed, as the orchestrator and the API see it. */
export interface FailureDetails {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  /** Extra data the thrower attached (an error's `details` property), as JSON text. */
  details?: JsonText;
  innerFailure?: FailureDetails;
}

/** Where a sub-orchestration reports back to. */
export interface ParentInstance {
  instanceId: string;
  executionId: string;
  name: string;
  taskScheduledId: number;
}

interface EventBase {
  /** Task id for TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated and EventSent; -1 otherwise. */
  eventId: number;
  /** ISO 8601 UTC. */
  timestamp: string;
}

export interface OrchestratorStartedEvent extends EventBase { type: 'OrchestratorStarted' }
export interface OrchestratorCompletedEvent extends EventBase { type: 'OrchestratorCompleted' }
export interface ExecutionStartedEvent extends EventBase {
  type: 'ExecutionStarted';
  name: string;
  executionId: string;
  input?: JsonText;
  parentInstance?: ParentInstance;
  scheduledStartTime?: string;
  /** The instance's tags when the execution starts (from the start, or carried through continue-as-new); absent when none. */
  tags?: Record<string, string>;
}
export interface ExecutionCompletedEvent extends EventBase {
  type: 'ExecutionCompleted';
  orchestrationStatus: 'Completed' | 'Failed';
  result?: JsonText;
  failureDetails?: FailureDetails;
}
export interface ExecutionTerminatedEvent extends EventBase {
  type: 'ExecutionTerminated';
  reason?: string;
  /** Also terminate every sub-orchestration still running below this instance. */
  recursive?: boolean;
}
export interface ExecutionSuspendedEvent extends EventBase { type: 'ExecutionSuspended'; reason?: string }
export interface ExecutionResumedEvent extends EventBase { type: 'ExecutionResumed'; reason?: string }
export interface ExecutionRewoundEvent extends EventBase { type: 'ExecutionRewound'; reason?: string }
export interface ContinueAsNewEvent extends EventBase { type: 'ContinueAsNew'; result?: JsonText }
export interface TaskScheduledEvent extends EventBase { type: 'TaskScheduled'; name: string; input?: JsonText }
export interface TaskCompletedEvent extends EventBase { type: 'TaskCompleted'; taskScheduledId: number; result?: JsonText }
export interface TaskFailedEvent extends EventBase {
  type: 'TaskFailed';
  taskScheduledId: number;
  failureDetails: FailureDetails;
}
export interface SubOrchestrationInstanceCreatedEvent extends EventBase {
  type: 'SubOrchestrationInstanceCreated';
  name: string;
  instanceId: string;
  input?: JsonText;
}
export interface SubOrchestrationInstanceCompletedEvent extends EventBase {
  type: 'SubOrchestrationInstanceCompleted';
  taskScheduledId: number;
  result?: JsonText;
}
export interface SubOrchestrationInstanceFailedEvent extends EventBase {
  type: 'SubOrchestrationInstanceFailed';
  taskScheduledId: number;
  failureDetails: FailureDetails;
}
export interface TimerCreatedEvent extends EventBase { type: 'TimerCreated'; fireAt: string }
export interface TimerFiredEvent extends EventBase { type: 'TimerFired'; timerId: number; fireAt: string }
export interface EventSentEvent extends EventBase { type: 'EventSent'; instanceId: string; name: string; input?: JsonText }
export interface EventRaisedEvent extends EventBase { type: 'EventRaised'; name: string; input?: JsonText }
/** The tags the code set and removed in a step (context.setTag / removeTag); a record only, replay skips it. */
export interface TagsChangedEvent extends EventBase { type: 'TagsChanged'; set: Record<string, string>; remove: string[] }

export type HistoryEvent =
  | OrchestratorStartedEvent
  | OrchestratorCompletedEvent
  | ExecutionStartedEvent
  | ExecutionCompletedEvent
  | ExecutionTerminatedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent
  | ExecutionRewoundEvent
  | ContinueAsNewEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | SubOrchestrationInstanceCreatedEvent
  | SubOrchestrationInstanceCompletedEvent
  | SubOrchestrationInstanceFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | EventSentEvent
  | EventRaisedEvent
  | TagsChangedEvent;

export type HistoryEventType = HistoryEvent['type'];

/** Events that arrive from outside an execution (the inbox): everything a step consumes. */
export type InboxEvent =
  | ExecutionStartedEvent
  | ExecutionTerminatedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent
  | ExecutionRewoundEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | SubOrchestrationInstanceCompletedEvent
  | SubOrchestrationInstanceFailedEvent
  | TimerFiredEvent
  | EventRaisedEvent;
