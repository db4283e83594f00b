/**
 * Deleting finished instances with all their rows, one by id or in batches by filter, and deleting a hub.
 * Each purge locks its instances first and deletes in a second statement: that statement's fresh snapshot
 * sees every message delivered before the lock was granted, so none is left behind without its instance.
 */
import { FINISHED_STATUSES, isFinished, type RuntimeStatus } from '../../core/history.js';
import type { InstanceQuery, PurgeOutcome } from '../backend.js';
import { rollupBucketOf } from '../histogram.js';
import { inTransaction, type PostgresStore, type Queryable } from './connection.js';
import { foldHistogram } from './histogram-fold.js';
import { instanceConditions, SqlParams } from './instance-filter.js';
import { toNumber, type BigintText } from './rows.js';

export async function purgeInstance(store: PostgresStore, hub: string, instanceId: string): Promise<PurgeOutcome> {
  const outcome = await inTransaction(store.pool, async ({ client }) => {
    const locked = await client.query<{ status: RuntimeStatus; created_at: BigintText }>(
      `SELECT status, created_at FROM ${store.tables.instances} WHERE hub = $1 AND instance_id = $2 FOR UPDATE`,
      [hub, instanceId],
    );
    const row = locked.rows[0];
    if (row === undefined) return { purged: false, reason: 'not-found' } as const;
    if (!isFinished(row.status)) return { purged: false, reason: 'not-finished', status: row.status } as const;
    await deleteInstances(store, client, hub, [instanceId]);
    return { purged: true, minute: rollupBucketOf(toNumber(row.created_at)) } as const;
  });
  if (!outcome.purged) return outcome;
  await foldHistogram(store, hub, [outcome.minute]);
  return { purged: true };
}

/**
 * Deletes matching finished instances, `batchSize` per transaction, so running work is never held up
 * behind one long transaction. Returns how many were deleted. Each finished status is walked in the order
 * of instances_by_status from where the previous batch stopped, so a batch reads only its own index range:
 * "the first matching rows" again would pass, batch after batch, the index entries of every row deleted so
 * far (they stay until a vacuum), and the purge would grow with the square of its size.
 */
export async function purgeInstances(store: PostgresStore, hub: string, query: InstanceQuery, batchSize: number): Promise<number> {
  const statuses = FINISHED_STATUSES.filter((status) => query.statuses === undefined || query.statuses.includes(status));
  let purged = 0;
  for (const status of statuses) {
    let after: { createdAt: string; rowSeq: string } | undefined;
    for (;;) {
      const batch = await inTransaction(store.pool, async ({ client }) => {
        const params = new SqlParams();
        const position = after === undefined ? '' : ` AND (created_at, row_seq) > (${params.add(after.createdAt)}, ${params.add(after.rowSeq)})`;
        const candidates = await client.query<{ instance_id: string; created_at: string; row_seq: string }>(
          `SELECT instance_id, created_at, row_seq FROM ${store.tables.instances}
          WHERE hub = ${params.add(hub)} AND status = ${params.add(status)}${instanceConditions(query, params, { table: store.tables.instanceTags, hub })}${position}
          ORDER BY created_at, row_seq LIMIT ${params.add(batchSize)}`,
          params.values,
        );
        if (candidates.rows.length === 0) return { last: undefined, deleted: 0 };
        // Locked in id order, as commits and deliveries lock, so a purge and a commit wait rather than deadlock;
        // FOR UPDATE re-checks the status once a lock is granted: an instance replaced by a new Pending one in
        // the meantime is left alone.
        const locked = await client.query<{ instance_id: string }>(
          `SELECT instance_id FROM ${store.tables.instances}
          WHERE hub = $1 AND instance_id = ANY($2::text[]) AND status = ANY($3::text[])
          ORDER BY instance_id
          FOR UPDATE`,
          [hub, candidates.rows.map((row) => row.instance_id), statuses],
        );
        const ids = locked.rows.map((row) => row.instance_id);
        if (ids.length > 0) await deleteInstances(store, client, hub, ids);
        const last = candidates.rows[candidates.rows.length - 1]!;
        const minutes = candidates.rows.map((row) => rollupBucketOf(toNumber(row.created_at)));
        return { last: { createdAt: last.created_at, rowSeq: last.row_seq }, deleted: ids.length, minutes };
      });
      purged += batch.deleted;
      if (batch.last === undefined) break;
      if (batch.deleted > 0) await foldHistogram(store, hub, batch.minutes);
      after = batch.last;
    }
  }
  return purged;
}

/**
 * False when the hub had no rows. Writers lock an instance's row before they add to its history, inbox or
 * tasks, so the instances go first, each locked and deleted: a writer that held one has committed by then
 * and one that comes later finds it gone and writes nothing. The rest goes in a later statement, whose
 * snapshot sees what those writers committed. A commit that was waited for may have started children,
 * which the first statement's snapshot missed: it runs again until it finds none. The rows of an instance
 * that a client creates meanwhile are left whole (NOT EXISTS): it exists after the delete. A deadlock with
 * a writer that locks several instances rolls everything back and the delete starts over.
 */
export async function deleteHub(store: PostgresStore, hub: string): Promise<boolean> {
  const deleted = await deleteHubRowsOnce(store, hub);
  await foldHistogram(store, hub);
  return deleted;
}

/** The hub's rows deleted in one transaction, started over after a deadlock. */
async function deleteHubRowsOnce(store: PostgresStore, hub: string): Promise<boolean> {
  for (;;) {
    try {
      return await inTransaction(store.pool, async ({ client }) => deleteHubRows(store, client, hub));
    } catch (error) {
      if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED) throw error;
    }
  }
}

const DEADLOCK_DETECTED = '40P01';

async function deleteHubRows(store: PostgresStore, client: Queryable, hub: string): Promise<boolean> {
  const { instances, history, messages, activityTasks, instanceTags } = store.tables;
  let deleted = false;
  for (;;) {
    const round = await client.query(
      `DELETE FROM ${instances} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${instances} WHERE hub = $1 ORDER BY instance_id FOR UPDATE))`,
      [hub],
    );
    if ((round.rowCount ?? 0) === 0) break;
    deleted = true;
  }
  const orphan = (table: string) =>
    `DELETE FROM ${table} t WHERE t.hub = $1
      AND NOT EXISTS (SELECT 1 FROM ${instances} i WHERE i.hub = t.hub AND i.instance_id = t.instance_id) RETURNING 1`;
  const rest = await client.query<{ deleted: boolean }>(
    `WITH history_deleted AS (${orphan(history)}),
    messages_deleted AS (${orphan(messages)}),
    tasks_deleted AS (${orphan(activityTasks)}),
    tags_deleted AS (${orphan(instanceTags)})
    SELECT EXISTS (SELECT FROM history_deleted) OR EXISTS (SELECT FROM messages_deleted)
      OR EXISTS (SELECT FROM tasks_deleted) OR EXISTS (SELECT FROM tags_deleted) AS deleted`,
    [hub],
  );
  return deleted || rest.rows[0]?.deleted === true;
}

async function deleteInstances(store: PostgresStore, db: Queryable, hub: string, instanceIds: string[]): Promise<void> {
  const { instances, history, messages, activityTasks, instanceTags } = store.tables;
  await db.query(
    `WITH history_deleted AS (DELETE FROM ${history} WHERE hub = $1 AND instance_id = ANY($2::text[])),
    tags_deleted AS (DELETE FROM ${instanceTags} WHERE hub = $1 AND instance_id = ANY($2::text[])),
    messages_deleted AS (DELETE FROM ${messages} WHERE hub = $1 AND instance_id = ANY($2::text[])),
    tasks_deleted AS (DELETE FROM ${activityTasks} WHERE hub = $1 AND instance_id = ANY($2::text[]))
    DELETE FROM ${instances} WHERE hub = $1 AND instance_id = ANY($2::text[])`,
    [hub, instanceIds],
  );
}
