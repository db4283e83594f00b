/**
 * Activity tasks: claimed oldest first with a lease (one call, FOR UPDATE SKIP LOCKED), deleted when
 * their result is delivered to the instance, and only while the lease holds (group-committed).
 */
import type { ActivityCommitOutcome, ActivityStep, ActivityStepFallback, ActivityStepOutcome, ActivityWorkItem, Claimed, ClaimOptions, OutgoingMessage } from '../backend.js';
import { asEmptyClaim, encodeCachedHistory, toWorkItem, type ClaimedRow, type TimedWorkColumn } from './claims.js';
import { MAX_STEP_TIME_LAG_MS } from '../step-commit.js';
import { encodeStep, leasedItem, writtenInstances, type LeasedTask } from './commit.js';
import { named, type PostgresStore } from './connection.js';
import { encodeMessage } from './delivery.js';
import { isRowId, toNumber, type BigintText } from './rows.js';
import { encodeSignal } from './signals.js';
import { NOW_MS } from './sql.js';

interface TaskRow {
  id: BigintText;
  instance_id: string;
  execution_id: string;
  task_id: number;
  name: string;
  input: string | null;
  attempt: number;
  lock_token: string;
}

/** One call of the server function claim_activities (sql/claims.sql): the claim, or the time until a task's lease runs out. */
export async function claimActivities(store: PostgresStore, hub: string, options: ClaimOptions): Promise<Claimed<ActivityWorkItem>> {
  const result = await store.pool.query<TaskRow & TimedWorkColumn>(
    named('claim_activities', `SELECT * FROM ${store.tables.schema}.claim_activities($1, $2, $3, $4)`,
    [hub, options.max, options.workerId, options.leaseMs]),
  );
  const empty = asEmptyClaim<TaskRow & TimedWorkColumn, ActivityWorkItem>(result.rows, (row) => row.id === null);
  if (empty) return empty;
  return result.rows
    .sort((a, b) => toNumber(a.id) - toNumber(b.id))
    .map((row) => {
      const item: ActivityWorkItem = {
        id: row.id,
        instanceId: row.instance_id,
        executionId: row.execution_id,
        taskId: row.task_id,
        name: row.name,
        attempt: row.attempt,
        lockToken: row.lock_token,
      };
      if (row.input !== null) item.input = row.input;
      return item;
    });
}

/** What the activity runner hands to the group commit: a task, its result, and whom to claim the instance for. */
export interface ActivityResult {
  item: ActivityWorkItem;
  result: OutgoingMessage;
  claimNext?: Omit<ClaimOptions, 'max'>;
}

/**
 * Completes a batch of tasks in one call of the server function complete_activities (sql/activities.sql): each
 * result is delivered and its task deleted, in one transaction, only while the task's lease holds.
 */
export async function completeActivities(store: PostgresStore, hub: string, results: readonly ActivityResult[]): Promise<ActivityCommitOutcome[]> {
  const encoded = results.flatMap(({ item, result, claimNext }, idx) =>
    isRowId(item.id)
      ? [encodeResult(idx, { item, result, claimNext })]
      : [],
  );
  const completed = new Map<number, ClaimedRow | null>();
  if (encoded.length > 0) {
    const rows = await store.pool.query<{ idx: number; claimed: ClaimedRow | null }>(
      named('complete_activities', `SELECT completed_idx AS idx, claimed FROM ${store.tables.schema}.complete_activities($1, $2, $3, $4)`,
      [hub, JSON.stringify(encoded), store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
    );
    for (const row of rows.rows) completed.set(row.idx, row.claimed);
  }
  return results.map((_, idx): ActivityCommitOutcome => {
    const claimed = completed.get(idx);
    if (claimed === undefined) return { ok: false, reason: 'lease-lost' };
    return claimed === null ? { ok: true } : { ok: true, claimed: toWorkItem(claimed) };
  });
}

/** A task's result as complete_activities and complete_activities_with_steps read it. */
function encodeResult(idx: number, { item, result, claimNext }: ActivityResult) {
  return {
    idx,
    instance_id: item.instanceId,
    id: item.id,
    lock_token: item.lockToken,
    result: encodeMessage(result),
    claim_worker: claimNext?.workerId ?? null,
    claim_lease_ms: claimNext?.leaseMs ?? null,
    claim_cached: heldHistory(claimNext, result.instanceId),
  };
}

/** What the worker hands to the group commit: a task, its result and the step it readies (Backend.completeActivityWithStep). */
export interface ActivityResultWithStep extends ActivityResult {
  step: ActivityStep;
}

/**
 * Completes a batch of tasks each with the step its result readies, in one call of the server function
 * complete_activities_with_steps (sql/activities.sql), which falls back for each on its own to what
 * complete_activities does.
 */
export async function completeActivitiesWithSteps(
  store: PostgresStore,
  hub: string,
  results: readonly ActivityResultWithStep[],
): Promise<ActivityStepOutcome[]> {
  const lockIds = new Set<string>();
  const encoded = results.flatMap(({ item, result, claimNext, step }, idx) => {
    if (!isRowId(item.id)) return [];
    const instanceId = result.instanceId;
    const written = writtenInstances(instanceId, step.commit);
    for (const id of written) lockIds.add(id);
    return [{
      ...encodeResult(idx, { item, result, claimNext }),
      execution_id: step.executionId,
      history_length: step.historyLength,
      step_at: step.stepAt,
      max_step_lag_ms: MAX_STEP_TIME_LAG_MS,
      // The lease is the one the server takes for the step.
      step: encodeStep(hub, idx, { instanceId, lockToken: '', firstSequence: step.historyLength }, step.commit),
      lock_ids: written,
    }];
  });
  const completed = new Map<number, { fallback: ActivityStepFallback | null; leased: LeasedTask[] | null; claimed: ClaimedRow | null }>();
  if (encoded.length > 0) {
    const rows = await store.pool.query<{ idx: number; fallback: ActivityStepFallback | null; leased: LeasedTask[] | null; claimed: ClaimedRow | null }>(
      named('complete_activities_with_steps',
        `SELECT completed_idx AS idx, fallback, leased, claimed FROM ${store.tables.schema}.complete_activities_with_steps($1, $2, $3, $4, $5)`,
        [hub, JSON.stringify(encoded), [...lockIds], store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
    );
    for (const row of rows.rows) completed.set(row.idx, row);
  }
  return results.map(({ item, step }, idx): ActivityStepOutcome => {
    const row = completed.get(idx);
    if (row === undefined) return { ok: false, reason: 'lease-lost' };
    if (row.fallback === null) {
      const instance = { instanceId: item.instanceId, executionId: step.executionId };
      return { ok: true, stepCommitted: true, leasedActivities: (row.leased ?? []).map((task) => leasedItem(instance, step.commit, task)) };
    }
    return row.claimed === null
      ? { ok: true, stepCommitted: false, fallback: row.fallback }
      : { ok: true, stepCommitted: false, fallback: row.fallback, claimed: toWorkItem(row.claimed) };
  });
}

function heldHistory(claimNext: Omit<ClaimOptions, 'max'> | undefined, instanceId: string): [string, number] | null {
  const held = claimNext?.cachedHistories?.get(instanceId);
  return held === undefined ? null : encodeCachedHistory(held);
}

export async function renewActivityLease(store: PostgresStore, hub: string, item: ActivityWorkItem, leaseMs: number): Promise<boolean> {
  if (!isRowId(item.id)) return false;
  const renewed = await store.pool.query(
    named('renew_activity_lease', `WITH now AS (SELECT ${NOW_MS} AS t)
    UPDATE ${store.tables.activityTasks} SET lock_expires_at = now.t + $5
    FROM now
    WHERE hub = $1 AND instance_id = $2 AND id = $3 AND lock_token = $4 AND lock_expires_at > now.t`,
    [hub, item.instanceId, item.id, item.lockToken, leaseMs]),
  );
  return renewed.rowCount === 1;
}
