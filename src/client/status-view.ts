/** The status of one instance as callers see it (S-QUERY-1): parsed payloads, ISO times. */
import type { FailureDetails, HistoryEvent, RuntimeStatus } from '../core/history.js';
import type { InstanceRecord } from '../backend/backend.js';
import type { Tags } from '../core/tags.js';
import { foldHistory, parsePayload, type HistoryEventView } from './history-view.js';

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  /** Omitted when the query asked not to show inputs. */
  input?: unknown;
  customStatus: unknown;
  /**
   * Completed: the result; Failed: Durable Functions' message, "Orchestrator function 'X' failed: …";
   * Terminated (or Suspended with a reason): the reason.
   */
  output: unknown;
  /** Only when Failed: what failed, with its type, message, stack and inner failures. */
  failureDetails?: FailureDetails;
  createdTime: string;
  lastUpdatedTime: string;
  /** (beyond DF) The instance's tags; {} when it has none. */
  tags: Tags;
  /** Only with showHistory. */
  history?: HistoryEventView[];
}

export interface StatusViewOptions {
  showInput?: boolean;
  showHistoryOutput?: boolean;
}

export function toOrchestrationStatus(record: InstanceRecord, options: StatusViewOptions, history?: readonly HistoryEvent[]): OrchestrationStatus {
  const stored = parsePayload(record.output);
  // A Failed instance stores its failure details as its output; callers of Durable Functions read a message there.
  const failureDetails = record.status === 'Failed' ? (stored as FailureDetails) : undefined;
  const status: OrchestrationStatus = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.status,
    ...((options.showInput ?? true) ? { input: parsePayload(record.input) } : {}),
    customStatus: parsePayload(record.customStatus),
    output: failureDetails ? failedOutput(record.name, failureDetails) : stored,
    ...(failureDetails ? { failureDetails } : {}),
    createdTime: new Date(record.createdAt).toISOString(),
    lastUpdatedTime: new Date(record.lastUpdatedAt).toISOString(),
    tags: record.tags ?? {},
  };
  if (history) status.history = foldHistory(history, { showHistoryOutput: options.showHistoryOutput, showInput: options.showInput });
  return status;
}

/** Durable Functions' output of a failed orchestration (its OutOfProcOrchestrationShim writes the same words). */
function failedOutput(orchestratorName: string, failure: FailureDetails): string {
  return `Orchestrator function '${orchestratorName}' failed: ${failure.errorMessage}`;
}

/**
 * The status JSON of the HTTP API, keys in Durable Functions' order. Every key is always there: absent or
 * hidden values are null (Durable Functions sends `"input": null` when inputs are not shown, and its 3.x
 * client refuses a status without the key); `failureDetails` (beyond DF) is null unless Failed; the folded
 * history is `historyEvents`, only with showHistory.
 */
export function toStatusJson(status: OrchestrationStatus): Record<string, unknown> {
  return {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: status.output ?? null,
    failureDetails: status.failureDetails ?? null,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    tags: status.tags,
    ...(status.history ? { historyEvents: status.history } : {}),
  };
}
