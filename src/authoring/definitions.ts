/**
 * How users declare orchestrators and activities. A definition is a name plus a function; passing the
 * definition (rather than its name) to callActivity/callSubOrchestrator carries its types.
 */
import type { ActivityRef, OrchestratorFunction, OrchestratorRef } from '../core/context.js';

export interface ActivityContext {
  readonly instanceId: string;
  /** The TaskScheduled event id: with instanceId, a stable idempotency key across redeliveries. */
  readonly taskId: number;
  readonly name: string;
  /** 1 on the first delivery; more when an earlier worker lost its lease (activities are at-least-once). */
  readonly attempt: number;
  /** `${instanceId}:${taskId}` */
  readonly idempotencyKey: string;
  /**
   * Aborted when the worker gives up on this run (it overran activityTimeoutMs): pass it to fetch and the
   * like, or check it, so that abandoned work stops.
   */
  readonly signal: AbortSignal;
}

// `any` defaults let a registry hold functions with specific parameter types (parameters are contravariant).
/* eslint-disable @typescript-eslint/no-explicit-any */
export type ActivityFunction<TInput = any, TOutput = any> = (input: TInput, context: ActivityContext) => TOutput | Promise<TOutput>;

export interface ActivityDefinition<TInput = any, TOutput = any> extends ActivityRef<TInput, TOutput> {
  readonly fn: ActivityFunction<TInput, TOutput>;
}

export interface OrchestratorDefinition<TInput = any, TOutput = any> extends OrchestratorRef<TInput, TOutput> {
  readonly fn: OrchestratorFunction<TInput, TOutput>;
}

/* eslint-enable @typescript-eslint/no-explicit-any */

export function defineActivity<TInput, TOutput>(
  name: string,
  fn: ActivityFunction<TInput, TOutput>,
): ActivityDefinition<TInput, Awaited<TOutput>> {
  return { name, kind: 'activity', fn: fn as ActivityFunction<TInput, Awaited<TOutput>> };
}

export function defineOrchestrator<TInput, TOutput>(
  name: string,
  fn: OrchestratorFunction<TInput, TOutput>,
): OrchestratorDefinition<TInput, TOutput> {
  return { name, kind: 'orchestrator', fn };
}
