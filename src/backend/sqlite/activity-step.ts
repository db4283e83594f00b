/**
 * An activity's completion with the step its result readies, in one transaction (Backend.completeActivityWithStep,
 * docs/adr/0029-activity-result-and-step-in-one-commit.md): the task is deleted while its lease holds, and
 * the step is written when step-commit.ts's activityStepFallback finds the instance as the worker
 * believed; otherwise the result is delivered, and the instance claimed, as completeActivity does.
 */
import type { ActivityStep, ActivityStepFallback, ActivityWorkItem, ClaimOptions, OrchestrationWorkItem, OutgoingMessage, WorkSignal } from '../backend.js';
import { activityStepFallback } from '../step-commit.js';
import type { OrchestrationClaims } from './claims.js';
import { writeStep } from './commit.js';
import { deliverActivityResult } from './delivery.js';
import type { SqliteStore } from './store.js';

/** The result delivered (`delivered`: the instance exists), the instance claimed when it could be. */
export interface Delivered { ok: true; stepCommitted: false; delivered: boolean; claimed?: OrchestrationWorkItem }

export type CompletionResult = { ok: false } | Delivered;

export type CompletionWithStepResult =
  | { ok: false }
  | (Delivered & { fallback: ActivityStepFallback })
  | { ok: true; stepCommitted: true; leasedActivities: ActivityWorkItem[]; signals: WorkSignal[] };

/** completeActivity's transaction. Run inside a write transaction. */
export function completeActivity(
  store: SqliteStore,
  claims: OrchestrationClaims,
  hub: string,
  item: ActivityWorkItem,
  result: OutgoingMessage,
  claimNext: Omit<ClaimOptions, 'max'> | undefined,
  now: number,
): CompletionResult {
  if (!store.activities.deleteIfLeased(hub, item, now)) return { ok: false };
  return deliverClaiming(store, claims, hub, result, claimNext, now);
}

/** completeActivityWithStep's transaction. Run inside a write transaction. */
export function completeActivityWithStep(
  store: SqliteStore,
  claims: OrchestrationClaims,
  hub: string,
  item: ActivityWorkItem,
  result: OutgoingMessage,
  step: ActivityStep,
  claimNext: Omit<ClaimOptions, 'max'> | undefined,
  now: number,
): CompletionWithStepResult {
  if (!store.activities.deleteIfLeased(hub, item, now)) return { ok: false };
  const instanceId = result.instanceId;
  const lease = store.instances.lease(hub, instanceId);
  const fallback = activityStepFallback({
    executionId: lease?.execution_id,
    historyLength: store.history.length(hub, instanceId),
    lockToken: lease?.lock_token ?? undefined,
    lockExpiresAt: lease?.lock_expires_at ?? undefined,
    failedAttempts: lease?.failed_attempts ?? 0,
    hasVisibleMessage: store.messages.hasVisible(hub, instanceId, now),
    hasTask: store.activities.hasAny(hub, instanceId),
  }, step, now);
  if (fallback !== undefined) return { ...deliverClaiming(store, claims, hub, result, claimNext, now), fallback };
  return { ok: true, stepCommitted: true, ...writeStep(store, hub, instanceId, step.executionId, step.commit, now) };
}

function deliverClaiming(
  store: SqliteStore,
  claims: OrchestrationClaims,
  hub: string,
  result: OutgoingMessage,
  claimNext: Omit<ClaimOptions, 'max'> | undefined,
  now: number,
): Delivered {
  const delivered = deliverActivityResult(store, hub, result, now);
  const claimed = delivered && claimNext ? claims.claimOne(hub, result.instanceId, claimNext, now) : undefined;
  return claimed ? { ok: true, stepCommitted: false, delivered, claimed } : { ok: true, stepCommitted: false, delivered };
}
