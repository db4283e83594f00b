/** Commits one orchestration step: everything it changes, in one transaction, if the lease still holds. */
import { isFinished } from '../../core/history.js';
import type { OrchestrationCommit, OrchestrationWorkItem, StepCommitOutcome, WorkSignal } from '../backend.js';
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
  // The fence: a worker whose lease expired (or was taken over) must not write (RELIABILITY.md, T04).
  const lease = store.instances.lease(hub, instanceId);
  if (lease === undefined || lease.lock_token !== item.lockToken || lease.lock_expires_at === null || lease.lock_expires_at <= now) {
    return { outcome: { ok: false, reason: 'lease-lost' }, signals: [] };
  }

  if (commit.replaceHistory !== undefined) store.history.replace(hub, instanceId, commit.replaceHistory);
  else store.history.append(hub, instanceId, commit.appendEvents);

  const { status, executionId, input, output, customStatus } = commit.instance;
  const update: StepUpdate = { status, executionId, output, customStatus };
  // A new execution brings its own input (continue-as-new), even an absent one.
  if (executionId !== undefined || input !== undefined) update.input = { value: input };
  store.instances.applyStep(hub, instanceId, update, now);

  store.messages.delete(hub, instanceId, commit.consumedMessageIds);
  if (commit.deleteAllMessages === true) {
    store.messages.deleteAll(hub, instanceId);
    store.activities.deleteUnleased(hub, instanceId, now);
  }
  const self = commit.leaseActivities;
  const leasedActivities = store.activities.insert(
    hub,
    instanceId,
    executionId ?? lease.execution_id,
    commit.activities,
    self && { workerId: self.workerId, max: self.max, expiresAt: now + self.leaseMs },
  );

  const unconsumedUpTo = commit.requeueUnconsumedMessages === true ? store.messages.lastId(hub, instanceId) : 0;
  // Sub-orchestrations first, so that a message this step sends to a child it creates reaches it.
  let orchestrationWork = false;
  for (const { request, onConflict } of commit.createInstances) {
    const created = createInstance(store, hub, request, now).created;
    orchestrationWork = (created || deliverFromStep(store, hub, instanceId, onConflict, now)) || orchestrationWork;
  }
  for (const message of commit.messages) {
    orchestrationWork = deliverFromStep(store, hub, instanceId, message, now) || orchestrationWork;
  }
  if (unconsumedUpTo > 0) store.messages.moveToBack(hub, instanceId, unconsumedUpTo);
  // Messages that arrived while the instance was leased are claimable now that the lease is released.
  orchestrationWork ||= store.messages.hasVisible(hub, instanceId, now);

  const signals: WorkSignal[] = [];
  if (orchestrationWork) signals.push({ kind: 'orchestration' });
  // Tasks leased to the committing worker are no news to the others.
  if (commit.activities.length > leasedActivities.length) signals.push({ kind: 'activity' });
  if (isFinished(status)) signals.push({ kind: 'finished', instanceId });
  return { outcome: { ok: true, leasedActivities }, signals };
}
