/** taskhub's public surface: explicit named re-exports only. */
export { createTaskHub, type TaskHub, type TaskHubOptions } from './taskhub.js';
export { openBackend, type OpenBackendOptions } from './backend/open.js';
// A store is opened here or given as a Backend; the store contract's other types are for store authors.
export type { Backend, HistogramCount, ListOrder, WorkSignal } from './backend/backend.js';

export { Registry } from './authoring/registry.js';
export {
  defineActivity,
  defineOrchestrator,
  type ActivityContext,
  type ActivityDefinition,
  type ActivityFunction,
  type OrchestratorDefinition,
} from './authoring/definitions.js';
export type {
  ActivityRef,
  ContinueAsNewOptions,
  OrchestrationContext,
  OrchestratorFunction,
  OrchestratorRef,
  RetryOptions,
  Task as TaskType,
  TimerTask,
} from './core/context.js';
export { Task } from './core/task.js';
export { TaskFailedError, NonDeterminismError, HistoryLimitError, PoisonedStepError, StepTimeoutError } from './core/failure.js';
export type { FailureDetails, HistoryEvent, JsonText, RuntimeStatus } from './core/history.js';
export { RUNTIME_STATUSES, isFinished } from './core/history.js';

export {
  TaskHubClient,
  newInstanceId,
  type GetStatusOptions,
  type InstanceFilter,
  type InstancePageView,
  type ListOptions,
  type PurgeFilter,
  type StartOptions,
  type TaskHubClientOptions,
  type WaitOptions,
} from './client/client.js';
export type { OrchestrationStatus } from './client/status-view.js';
export type { RetentionPolicy, RetentionRun, RetentionView } from './client/retention.js';
export { BATCH_OPERATIONS, type BatchFailure, type BatchFilter, type BatchJob, type BatchOperation, type BatchRequest, type BatchState } from './client/batches.js';
export type { HistoryEventView } from './client/history-view.js';
export {
  MANAGEMENT_BASE_PATH,
  type HttpManagementPayload,
  type HttpResponseInit,
  type RequestLike,
} from './client/management-urls.js';

export { Worker, type WorkerOptions, type StepAuditRecord } from './runtime/worker.js';
export { ActivityTimeoutError } from './runtime/activity-runner.js';
export { consoleLogger, silentLogger, withFields, type Logger, type LogFields } from './runtime/logger.js';
export { createPinoLogger, parseLogLevel, LOG_LEVELS, type LogLevel, type PinoLoggerOptions } from './logging/pino-logger.js';
export { resolveConnectionString, resolveHubName, DEFAULT_HUB_NAME, DEFAULT_CONNECTION_STRING } from './config.js';
export { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.js';
export * from './errors.js';
