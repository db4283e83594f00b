/**
 * The rules every backend shares about a step's commit and about claims, as plain functions and data, so
 * that each store states none of them on its own: which signals a commit sends, how many of its tasks go
 * to other workers, and when an instance is claimable.
 */
import { isFinished, type InboxEvent } from '../core/history.js';
import type { ActivityStep, ActivityStepFallback, ClaimOptions, CommitOp, OrchestrationCommit, WorkSignal } from './backend.js';

/**
 * The messages that make a Pending instance claimable: only its start or a termination. Events sent
 * before a scheduled start wait for it. Any visible message makes an instance of another status claimable.
 */
export const PENDING_CLAIMABLE_BY: readonly InboxEvent['type'][] = ['ExecutionStarted', 'ExecutionTerminated'];

/** The claimability rule as an SQL condition on a status column and a message's event type column. */
export function claimableSql(status: string, eventType: string): string {
  return `(${status} <> 'Pending' OR ${eventType} IN (${PENDING_CLAIMABLE_BY.map((type) => `'${type}'`).join(', ')}))`;
}

/** The tasks a commit inserts that are not leased to the committing worker: news for the others. */
export function unleasedTaskCount(commit: OrchestrationCommit): number {
  let count = 0;
  for (const op of commit.ops) if (op.op === 'insertTasks') count += op.tasks.length - Math.min(op.lease?.max ?? 0, op.tasks.length);
  return count;
}

/**
 * The signals of a committed step. `readied`: whether the commit left an inbox with a message to claim
 * (its own, with messages that arrived during the step, or one it delivered to, or an instance it created).
 */
export function commitSignals(instanceId: string, commit: OrchestrationCommit, readied: boolean): WorkSignal[] {
  const signals: WorkSignal[] = [];
  if (readied) signals.push({ kind: 'orchestration' });
  if (unleasedTaskCount(commit) > 0) signals.push({ kind: 'activity' });
  if (isFinished(commit.instance.status)) signals.push({ kind: 'finished', instanceId });
  return signals;
}

/** Whether every op writes only to the committing instance (no creation, no message to another). */
export function writesOnlyItself(instanceId: string, ops: readonly CommitOp[]): boolean {
  return ops.every((op) => op.op !== 'createInstance' && (op.op !== 'deliverMessage' || op.message.instanceId === instanceId));
}

/** The commit with its new tasks leased, up to `lease.max` in all, to the committing worker. */
export function leasingTasks(commit: OrchestrationCommit, lease: ClaimOptions): OrchestrationCommit {
  let left = lease.max;
  const ops = commit.ops.map((op): CommitOp => {
    if (op.op !== 'insertTasks' || left === 0 || op.tasks.length === 0) return op;
    const max = Math.min(left, op.tasks.length);
    left -= max;
    return { ...op, lease: { ...lease, max } };
  });
  return { ...commit, ops };
}

/** How many activity tasks a commit inserts. */
export function insertedTaskCount(commit: OrchestrationCommit): number {
  let count = 0;
  for (const op of commit.ops) if (op.op === 'insertTasks') count += op.tasks.length;
  return count;
}

/** What a store reads of an instance, inside completeActivityWithStep's transaction, after deleting the task. */
export interface InstanceAtCompletion {
  /** Undefined when the instance is gone. */
  executionId: string | undefined;
  historyLength: number;
  /** The instance row's lease columns: a token (held, or left by a claim that never committed) and its end (or an abandon's not-before time). */
  lockToken: string | undefined;
  lockExpiresAt: number | undefined;
  failedAttempts: number;
  /** Whether any message of its inbox is visible now. */
  hasVisibleMessage: boolean;
  /** Whether it has any activity task left. */
  hasTask: boolean;
}

/**
 * How long before the store's clock at its commit a step computed ahead may be dated: the worker estimates
 * the store's clock from its last reading and its own monotonic clock, which keeps within milliseconds
 * of it; a step dated further back (a store clock that jumped, a worker stalled before its commit) is
 * left to a claim, which dates it anew.
 */
export const MAX_STEP_TIME_LAG_MS = 5_000;

/**
 * Why a step computed ahead must not be committed, or undefined when it may (Backend.completeActivityWithStep).
 * The step ran on what the worker held, so the store must hold exactly that (execution and length); it
 * must be claimable as a claim at `now` would find it (no lease or not-before time holds it); an earlier
 * claim that ended without a commit counts toward the poison limit only through a claim, so such an
 * instance takes the claim's path; the step consumed the result only, so any other visible message or
 * pending task (a fan-out not complete) belongs to a step of its own; and a step may not be dated after
 * the clock of the store that commits it, or the history's times would run ahead of its own, nor long
 * before it (MAX_STEP_TIME_LAG_MS).
 */
export function activityStepFallback(state: InstanceAtCompletion, step: Pick<ActivityStep, 'executionId' | 'historyLength' | 'stepAt'>, now: number): ActivityStepFallback | undefined {
  if (state.executionId !== step.executionId || state.historyLength !== step.historyLength) return 'history-moved';
  if (state.lockExpiresAt !== undefined && state.lockExpiresAt > now) return 'instance-leased';
  if (state.lockToken !== undefined || state.failedAttempts > 0) return 'failed-attempts';
  if (state.hasVisibleMessage) return 'inbox-not-empty';
  if (state.hasTask) return 'tasks-left';
  if (step.stepAt > now || step.stepAt < now - MAX_STEP_TIME_LAG_MS) return 'step-time-off';
  return undefined;
}
