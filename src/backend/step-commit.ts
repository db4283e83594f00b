/**
 * The rules every backend shares about a step's commit and about claims, as plain functions and data, so
 * that each store states none of them on its own: which signals a commit sends, how many of its tasks go
 * to other workers, and when an instance is claimable.
 */
import { isFinished, type InboxEvent } from '../core/history.js';
import type { ClaimOptions, CommitOp, OrchestrationCommit, WorkSignal } from './backend.js';

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
