/**
 * Activity tasks: claimed oldest first with a lease (one statement, FOR UPDATE SKIP LOCKED), deleted when
 * their result is delivered to the instance, and only while the lease holds.
 */
import type { ActivityWorkItem, ClaimOptions, CommitOutcome, OutgoingMessage } from '../backend.js';
import { inTransaction, named, type PostgresStore } from './db.js';
import { deliverMessages } from './deliver-messages.js';
import { isRowId, toNumber, type BigintText } from './rows.js';
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

export async function claimActivities(store: PostgresStore, hub: string, options: ClaimOptions): Promise<ActivityWorkItem[]> {
  const { activityTasks } = store.tables;
  const result = await store.pool.query<TaskRow>(
    named('claim_activities', `WITH now AS (SELECT ${NOW_MS} AS t),
    picked AS (
      SELECT t.instance_id AS picked_instance, t.id AS picked_id FROM ${activityTasks} t, now
      WHERE t.hub = $1 AND (t.lock_expires_at IS NULL OR t.lock_expires_at <= now.t)
      ORDER BY t.id
      LIMIT $2
      FOR UPDATE OF t SKIP LOCKED
    )
    UPDATE ${activityTasks} t
    SET lock_token = gen_random_uuid()::text, locked_by = $3, lock_expires_at = now.t + $4, attempt = attempt + 1
    FROM picked, now
    WHERE t.hub = $1 AND t.instance_id = picked.picked_instance AND t.id = picked.picked_id
    RETURNING id, instance_id, execution_id, task_id, name, input, attempt, lock_token`,
    [hub, options.max, options.workerId, options.leaseMs]),
  );
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

/**
 * Delivers the result and deletes the task, in one transaction, if the lease still holds. The delivery
 * goes first so this transaction locks the instance row before the task row, the order a step's commit
 * follows too (it locks its instance, then drops its unleased tasks).
 */
export async function completeActivity(
  store: PostgresStore,
  hub: string,
  item: ActivityWorkItem,
  result: OutgoingMessage,
): Promise<CommitOutcome> {
  if (!isRowId(item.id)) return { ok: false, reason: 'lease-lost' };
  return inTransaction(store.pool, async (tx) => {
    await deliverMessages(store, tx.client, hub, [result]);
    const deleted = await tx.client.query(
      named('complete_activity', `DELETE FROM ${store.tables.activityTasks}
      WHERE hub = $1 AND instance_id = $2 AND id = $3 AND lock_token = $4 AND lock_expires_at > ${NOW_MS}`,
      [hub, item.instanceId, item.id, item.lockToken]),
    );
    if (deleted.rowCount === 1) return { ok: true };
    tx.rollback();
    return { ok: false, reason: 'lease-lost' };
  });
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
