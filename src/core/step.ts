/**
 * The contract between the pure replay engine and the runtime around it: one orchestration step is a
 * function from (committed history, newly arrived inbox events, the step's time) to (events to append,
 * outbound work, the instance's new state). The runtime commits the result in one transaction.
 */
import type { EventRaisedEvent, FailureDetails, HistoryEvent, InboxEvent, JsonText, RuntimeStatus } from './history.js';
import type { OrchestratorFunction } from './context.js';

export interface ReplaySafeLogger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export interface OrchestrationStepInput {
  instanceId: string;
  /** Events of the current execution committed by earlier steps, oldest first. */
  pastEvents: readonly HistoryEvent[];
  /** Inbox events consumed by this step, in arrival order. */
  newEvents: readonly InboxEvent[];
  /** The step's time (ISO 8601, from the store's clock): OrchestratorStarted's timestamp and currentUtcDateTime. */
  now: string;
  resolveOrchestrator(name: string): OrchestratorFunction | undefined;
  /** Largest serialised payload (input, output, event data, custom status) in UTF-8 bytes. */
  maxPayloadBytes: number;
  /** Receives context.log calls, only when the step is not replaying. */
  logger?: ReplaySafeLogger;
  /** Bounds on the execution's history length; none when omitted. */
  historyLimits?: HistoryLimits;
  /**
   * Told the time the orchestrator code sees whenever it changes: each replayed step's time, then `now`.
   * The runtime makes Date.now() and new Date() in the code return it, so they replay like
   * currentUtcDateTime.
   */
  onCodeTime?: (time: string) => void;
}

/**
 * T20 of docs/reliability.md: a step that takes the history to `warnAt` events logs a warning; a step that would
 * take it beyond `failAt` fails the execution with a HistoryLimitError instead of committing its work.
 */
export interface HistoryLimits {
  warnAt: number;
  failAt: number;
}

/** Work the step asks the runtime to create, committed in the same transaction as the step. */
export type OutboundWork =
  | { kind: 'activity'; taskId: number; name: string; input?: JsonText }
  | { kind: 'timer'; timerId: number; fireAt: string }
  | { kind: 'subOrchestration'; taskId: number; name: string; instanceId: string; input?: JsonText }
  | { kind: 'event'; instanceId: string; name: string; input?: JsonText }
  | { kind: 'terminate'; instanceId: string; reason?: string }
  | { kind: 'rewind'; instanceId: string; reason?: string };

export interface OrchestrationStepResult {
  /**
   * Events to append, in order: OrchestratorStarted, the consumed inbox events, the events of new
   * actions, a terminal event if any, OrchestratorCompleted. When `replaceHistory` is true (a rewind)
   * this is instead the whole new history of the execution.
   */
  newEvents: HistoryEvent[];
  replaceHistory: boolean;
  work: OutboundWork[];
  /** Running, Suspended, Completed, Failed, Terminated or ContinuedAsNew. */
  status: RuntimeStatus;
  /** Completed: the result; Failed: the failure details as JSON; Terminated/Suspended: the reason as JSON. */
  output?: JsonText;
  failureDetails?: FailureDetails;
  /** The custom status after this step, as JSON text; undefined when never set. */
  customStatus?: JsonText;
  /** The tags the step set and removed (context.setTag / removeTag), when it changed any. */
  tagChanges?: { set: Record<string, string>; remove: string[] };
  /**
   * Set when status is ContinuedAsNew: the next execution's input, the events it inherits and the tags it
   * starts with (the instance's after this step; absent when none), for its ExecutionStarted.
   */
  continuedAsNew?: { input?: JsonText; carryOverEvents: EventRaisedEvent[]; tags?: Record<string, string> };
}
