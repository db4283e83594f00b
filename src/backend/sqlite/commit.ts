/** Commits one orchestration step: its ops, in order, in one transaction, if the lease still holds. */
import type { ActivityWorkItem, OrchestrationCommit, OrchestrationWorkItem, StepCommitOutcome, WorkSignal } from '../backend.js';
import { commitSignals } from '../step-commit.js';
import { createInstance, deliverFromStep } from './delivery.js';
import type { StepUpdate } from './instances.js';
import type { SqliteStore } from './store.js';

export interface StepCommitResult {
  outcome: StepCommitOutcome;
  /** To emit once the transaction has committed. */
  signals: WorkSignal[];
}

/** Run inside a write transaction. */
export function commitStep(
  store: SqliteStore,
  hub: string,
  item: OrchestrationWorkItem,
  commit: OrchestrationCommit,
  now: number,
): StepCommitResult {
  const instanceId = item.instance.instanceId;
  // The fence: a worker whose lease expired (or was taken over) must not write (docs/reliability.md, T04).
  const lease = store.instances.lease(hub, instanceId);
  if (lease === undefined || lease.lock_token !== item.lockToken || lease.lock_expires_at === null || lease.lock_expires_at <= now) {
    return { outcome: { ok: false, reason: 'lease-lost' }, signals: [] };
  }
  const { leasedActivities, signals } = writeStep(store, hub, instanceId, lease.execution_id, commit, now);
  return { outcome: { ok: true, leasedActivities }, signals };
}

/**
 * Writes a step's commit for an instance whose lease the caller has judged (commitStep's fence, or
 * completeActivityWithStep's checks), releasing any lease. Run inside a write transaction.
 */
export function writeStep(
  store: SqliteStore,
  hub: string,
  instanceId: string,
  currentExecution: string,
  commit: OrchestrationCommit,
  now: number,
): { leasedActivities: ActivityWorkItem[]; signals: WorkSignal[] } {
  const { status, executionId, input, output, customStatus, unchanged } = commit.instance;
  const update: StepUpdate = { status, executionId, output, customStatus, unchanged };
  // A new execution brings its own input (continue-as-new), even an absent one.
  if (executionId !== undefined || input !== undefined) update.input = { value: input };
  store.instances.applyStep(hub, instanceId, update, now);
  const currentExecutionId = executionId ?? currentExecution;
  // The messages this commit did not write are those up to the newest one now.
  const writtenAfter = commit.ops.some((op) => op.op === 'requeueMessages') ? store.messages.lastId(hub, instanceId) : 0;

  const leasedActivities: ActivityWorkItem[] = [];
  let readied = false;
  for (const op of commit.ops) {
    switch (op.op) {
      case 'appendHistory':
        store.history.append(hub, instanceId, op.events);
        break;
      case 'replaceHistory':
        store.history.replace(hub, instanceId, op.events);
        break;
      case 'deleteMessages':
        store.messages.delete(hub, instanceId, op.ids);
        break;
      case 'deleteAllMessages':
        store.messages.deleteAll(hub, instanceId);
        break;
      case 'dropUnleasedTasks':
        store.activities.deleteUnleased(hub, instanceId, now);
        break;
      case 'insertTasks': {
        const lease = op.lease && { workerId: op.lease.workerId, max: op.lease.max, expiresAt: now + op.lease.leaseMs };
        leasedActivities.push(...store.activities.insert(hub, instanceId, currentExecutionId, op.tasks, lease));
        break;
      }
      case 'createInstance':
        readied = (createInstance(store, hub, op.request, now).created || deliverFromStep(store, hub, instanceId, op.onConflict, now)) || readied;
        break;
      case 'deliverMessage':
        readied = deliverFromStep(store, hub, instanceId, op.message, now) || readied;
        break;
      case 'requeueMessages':
        if (writtenAfter > 0) store.messages.moveToBack(hub, instanceId, writtenAfter);
        break;
      case 'setTags':
        store.instances.changeTags(hub, instanceId, op.set, op.remove);
        break;
    }
  }
  // Messages that arrived while the instance was leased are claimable now that the lease is released.
  readied ||= store.messages.hasVisible(hub, instanceId, now);
  return { leasedActivities, signals: commitSignals(instanceId, commit, readied) };
}
