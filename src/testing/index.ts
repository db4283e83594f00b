/**
 * Tools to unit-test orchestrations without a store (`taskhub/testing`): build history events, run the
 * engine step by step, and replay recorded histories against changed code; and the conformance suite that
 * a storage backend runs to prove itself (docs/stores.md).
 */
export * from './history-builders.js';
export { replayHistory, type ReplayHistoryOptions } from './replay-history.js';
export { executeOrchestrationStep } from '../core/executor.js';
export type { OrchestrationStepInput, OrchestrationStepResult, OutboundWork } from '../core/step.js';
export { runBackendConformance, type OpenBackend } from './conformance/index.js';
