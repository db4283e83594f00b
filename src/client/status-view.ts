/** The status of one instance as callers see it (S-QUERY-1): parsed payloads, ISO times. */
import type { HistoryEvent, RuntimeStatus } from '../core/history.js';
import type { InstanceRecord } from '../backend/backend.js';
import { foldHistory, parsePayload, type HistoryEventView } from './history-view.js';

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  /** Omitted when the query asked not to show inputs. */
  input?: unknown;
  customStatus: unknown;
  /** Completed: the result; Failed: the failure details; Terminated (or Suspended with a reason): the reason. */
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  /** Only with showHistory. */
  history?: HistoryEventView[];
}

export interface StatusViewOptions {
  showInput?: boolean;
  showHistoryOutput?: boolean;
}

export function toOrchestrationStatus(record: InstanceRecord, options: StatusViewOptions, history?: readonly HistoryEvent[]): OrchestrationStatus {
  const status: OrchestrationStatus = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.status,
    ...((options.showInput ?? true) ? { input: parsePayload(record.input) } : {}),
    customStatus: parsePayload(record.customStatus),
    output: parsePayload(record.output),
    createdTime: new Date(record.createdAt).toISOString(),
    lastUpdatedTime: new Date(record.lastUpdatedAt).toISOString(),
  };
  if (history) status.history = foldHistory(history, { showHistoryOutput: options.showHistoryOutput, showInput: options.showInput });
  return status;
}
