/**
 * Tools to unit-test orchestrations without a store (`taskhub/testing`): build history events, run the
 * engine step by step, and replay recorded histories against changed code.
 */
export * from './history-builders.js';
export { replayHistory, type ReplayHistoryOptions } from './replay-history.js';
export { executeOrchestrationStep } from '../core/executor.js';
export type { OrchestrationStepInput, OrchestrationStepResult, OutboundWork } from '../core/step.js';
