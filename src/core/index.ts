/** The public surface of the replay engine. */
export { executeOrchestrationStep } from './executor.js';
export { Task } from './task.js';
export { TaskFailedError, NonDeterminismError, HistoryLimitError, PoisonedStepError, StepTimeoutError, toFailureDetails } from './failure.js';
export type {
  ActivityRef,
  ContinueAsNewOptions,
  OrchestrationContext,
  OrchestratorFunction,
  OrchestratorRef,
  RetryOptions,
  TimerTask,
} from './context.js';
export type * from './history.js';
export { RUNTIME_STATUSES, FINISHED_STATUSES, isFinished } from './history.js';
export type { HistoryLimits, OrchestrationStepInput, OrchestrationStepResult, OutboundWork, ReplaySafeLogger } from './step.js';
