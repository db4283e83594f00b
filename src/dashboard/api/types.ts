/** The shapes of taskhub's HTTP API answers that the dashboard reads (docs/http-api.md). */
import type { RuntimeStatus } from '../model/statuses.js';

/** The status JSON of one instance. */
export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input?: unknown;
  customStatus: unknown;
  /** Failed: Durable Functions' message ("Orchestrator function 'X' failed: …"); the details are in failureDetails. */
  output: unknown;
  failureDetails: FailureDetails | null;
  createdTime: string;
  lastUpdatedTime: string;
  /** `{}` when the instance has none. */
  tags: Record<string, string>;
}

export type StatusCounts = Record<RuntimeStatus, number>;

export interface HistogramInterval {
  start: string;
  counts: Partial<Record<RuntimeStatus, number>>;
}

export interface Histogram {
  from: string;
  to: string;
  intervalSeconds: number;
  intervals: HistogramInterval[];
}

/** One stored history event, payloads parsed. */
export interface RawEvent {
  sequence: number;
  type: string;
  eventId: number;
  timestamp: string;
  name?: string;
  input?: unknown;
  result?: unknown;
  reason?: string;
  taskScheduledId?: number;
  timerId?: number;
  fireAt?: string;
  instanceId?: string;
  executionId?: string;
  scheduledStartTime?: string;
  orchestrationStatus?: string;
  parentInstance?: { instanceId: string; executionId: string; name: string; taskScheduledId: number };
  failureDetails?: FailureDetails;
  /** TagsChanged: the tags the step set and the keys it removed. */
  set?: Record<string, string>;
  remove?: string[];
  /** ExecutionStarted: the tags the execution started with. */
  tags?: Record<string, string>;
}

export interface FailureDetails {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  details?: unknown;
  innerFailure?: FailureDetails;
}

export interface HistoryPage {
  instanceId: string;
  events: RawEvent[];
  nextSequence: number | null;
}

export interface TaskHubs {
  defaultTaskHub: string;
  taskHubs: string[];
}

/** The check-status response of a start or a restart. */
export interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
}
