/**
 * Commits one orchestration step in one transaction, if the lease still holds (the fence), and releases
 * the lease. The common step (append events, consume messages, schedule activities) is four round trips:
 * BEGIN, the fenced write statement, the ready_at refresh with its notifications, COMMIT. Messages to
 * other instances, sub-orchestrations and history rewrites add one statement each.
 */
import { isFinished } from '../../core/history.js';
import type { CommitOutcome, OrchestrationCommit, OrchestrationWorkItem, OutgoingMessage, WorkSignal } from '../backend.js';
import { createInstances, startMessage } from './create-instances.js';
import { inTransaction, named, type PostgresStore, type Queryable } from './db.js';
import { deliverMessages } from './deliver-messages.js';
import { isRowId } from './rows.js';
import { encodeSignal } from './signals.js';
import { NOW_MS, PENDING_WAKE_EVENTS_SQL } from './sql.js';

export async function commitOrchestration(
  store: PostgresStore,
  hub: string,
  item: OrchestrationWorkItem,
  commit: OrchestrationCommit,
): Promise<CommitOutcome> {
  const instanceId = item.instance.instanceId;
  return inTransaction(store.pool, async (tx) => {
    const others = otherInstancesTouched(instanceId, commit);
    // Every instance this step writes to is locked up front in id order, so that two steps messaging
    // each other (a child completing while its parent starts another) cannot deadlock.
    if (others.length > 0) await lockInOrder(store, tx.client, hub, [instanceId, ...others]);
    if (commit.replaceHistory !== undefined) await deleteHistory(store, tx.client, hub, instanceId);

    if (!(await writeFencedStep(store, tx.client, hub, item, commit))) {
      tx.rollback();
      return { ok: false, reason: 'lease-lost' };
    }

    // Sub-orchestrations first, so that a message this step sends to a child it creates reaches it.
    const outgoing: OutgoingMessage[] = [];
    if (commit.createInstances.length > 0) {
      const outcomes = await createInstances(store, tx.client, hub, commit.createInstances.map((create) => create.request));
      commit.createInstances.forEach((create, index) => {
        outgoing.push(outcomes[index]?.created === true ? startMessage(create.request) : create.onConflict);
      });
    }
    outgoing.push(...commit.messages);
    const unconsumedUpTo = commit.requeueUnconsumedMessages === true ? await lastMessageId(store, tx.client, hub, instanceId) : 0;
    await deliverMessages(store, tx.client, hub, outgoing);
    if (unconsumedUpTo > 0) await moveToBack(store, tx.client, hub, instanceId, unconsumedUpTo);

    const signals: WorkSignal[] = [];
    if (commit.activities.length > 0) signals.push({ kind: 'activity' });
    if (isFinished(commit.instance.status)) signals.push({ kind: 'finished', instanceId });
    await refreshReadiness(store, tx.client, hub, instanceId, signals);
    return { ok: true };
  });
}

function otherInstancesTouched(instanceId: string, commit: OrchestrationCommit): string[] {
  const ids = new Set<string>();
  for (const message of commit.messages) ids.add(message.instanceId);
  for (const create of commit.createInstances) {
    ids.add(create.request.instanceId);
    ids.add(create.onConflict.instanceId);
  }
  ids.delete(instanceId);
  return [...ids];
}

async function lockInOrder(store: PostgresStore, db: Queryable, hub: string, instanceIds: string[]): Promise<void> {
  await db.query(
    named('lock_in_order', `SELECT 1 FROM ${store.tables.instances} WHERE hub = $1 AND instance_id = ANY($2::text[])
    ORDER BY instance_id FOR NO KEY UPDATE`,
    [hub, instanceIds]),
  );
}

/** The newest message id of the inbox (0 when empty): the mark for moveToBack. */
async function lastMessageId(store: PostgresStore, db: Queryable, hub: string, instanceId: string): Promise<number> {
  const result = await db.query<{ last: string | null }>(
    named('last_message_id', `SELECT max(id) AS last FROM ${store.tables.messages} WHERE hub = $1 AND instance_id = $2`, [hub, instanceId]),
  );
  return Number(result.rows[0]?.last ?? 0);
}

/** Moves the inbox's messages up to `upTo` behind every later one, in their order (requeueUnconsumedMessages). */
async function moveToBack(store: PostgresStore, db: Queryable, hub: string, instanceId: string, upTo: number): Promise<void> {
  const { messages } = store.tables;
  await db.query(
    named('move_to_back', `WITH moved AS (
      DELETE FROM ${messages} WHERE hub = $1 AND instance_id = $2 AND id <= $3
      RETURNING id, execution_id, event_type, event, visible_at
    )
    INSERT INTO ${messages} (hub, instance_id, execution_id, event_type, event, visible_at)
    SELECT $1, $2, execution_id, event_type, event, visible_at FROM moved ORDER BY id`,
    [hub, instanceId, upTo]),
  );
}

/** A rewrite (rewind, continue-as-new) empties the history first; the fence failing rolls this back. */
async function deleteHistory(store: PostgresStore, db: Queryable, hub: string, instanceId: string): Promise<void> {
  await db.query(named('delete_history', `DELETE FROM ${store.tables.history} WHERE hub = $1 AND instance_id = $2`, [hub, instanceId]));
}

/**
 * One statement: the fence (the instance row's UPDATE matches only while this lease holds, T04) and every
 * write of the step, each conditional on the fence, so a lost lease writes nothing. New history events
 * are numbered after the claimed history: nobody else can have appended while the lease held.
 */
async function writeFencedStep(
  store: PostgresStore,
  db: Queryable,
  hub: string,
  item: OrchestrationWorkItem,
  commit: OrchestrationCommit,
): Promise<boolean> {
  const { instances, history, messages, activityTasks } = store.tables;
  const { status, executionId, input, output, customStatus } = commit.instance;
  const events = commit.replaceHistory ?? commit.appendEvents;
  const result = await db.query(
    named('commit_step', `WITH now AS (SELECT ${NOW_MS} AS t),
    fenced AS (
      UPDATE ${instances} SET
        status = $4, execution_id = coalesce($5, execution_id),
        input = CASE WHEN $6 THEN $7 ELSE input END,
        output = $8, custom_status = $9, last_updated_at = now.t,
        completed_at = CASE WHEN $10 THEN now.t END,
        lock_token = NULL, locked_by = NULL, lock_expires_at = NULL
      FROM now
      WHERE hub = $1 AND instance_id = $2 AND lock_token = $3 AND lock_expires_at > now.t
      RETURNING execution_id
    ),
    history_written AS (
      INSERT INTO ${history} (hub, instance_id, sequence, event)
      SELECT $1, $2, $11 + e.ord - 1, e.event
      FROM fenced, unnest($12::text[]) WITH ORDINALITY AS e(event, ord)
    ),
    messages_consumed AS (
      DELETE FROM ${messages}
      WHERE hub = $1 AND instance_id = $2 AND (id = ANY($13::bigint[]) OR $14) AND EXISTS (SELECT 1 FROM fenced)
    ),
    tasks_dropped AS (
      -- Terminal steps drop the tasks no worker holds a live lease on; leased ones finish and report.
      DELETE FROM ${activityTasks} USING now
      WHERE $14 AND hub = $1 AND instance_id = $2 AND (lock_expires_at IS NULL OR lock_expires_at <= now.t)
        AND EXISTS (SELECT 1 FROM fenced)
    ),
    tasks_added AS (
      INSERT INTO ${activityTasks} (hub, instance_id, execution_id, task_id, name, input)
      SELECT $1, $2, fenced.execution_id, t.task_id, t.name, t.input
      FROM fenced, unnest($15::integer[], $16::text[], $17::text[]) WITH ORDINALITY AS t(task_id, name, input, ord)
      ORDER BY t.ord
    )
    SELECT 1 FROM fenced`,
    [
      hub,
      item.instance.instanceId,
      item.lockToken,
      status,
      executionId ?? null,
      // A new execution brings its own input (continue-as-new), even an absent one (as on SQLite).
      executionId !== undefined || input !== undefined,
      input ?? null,
      output ?? null,
      customStatus ?? null,
      isFinished(status),
      commit.replaceHistory !== undefined ? 0 : item.history.length,
      events.map((event) => JSON.stringify(event)),
      commit.consumedMessageIds.filter(isRowId),
      commit.deleteAllMessages === true,
      commit.activities.map((task) => task.taskId),
      commit.activities.map((task) => task.name),
      commit.activities.map((task) => task.input ?? null),
    ]),
  );
  return result.rowCount === 1;
}

/**
 * Recomputes ready_at from the inbox as it now stands (consumed messages gone, new ones in), and sends the
 * step's signals: an 'orchestration' one whenever the instance has messages left, which includes those that
 * arrived while it was leased and could not be claimed then.
 */
async function refreshReadiness(store: PostgresStore, db: Queryable, hub: string, instanceId: string, signals: WorkSignal[]): Promise<void> {
  const { instances, messages } = store.tables;
  await db.query(
    named('refresh_readiness', `WITH refreshed AS (
      UPDATE ${instances} i SET ready_at = (
        SELECT min(m.visible_at) FROM ${messages} m
        WHERE m.hub = i.hub AND m.instance_id = i.instance_id
          AND (i.status <> 'Pending' OR m.event_type IN ${PENDING_WAKE_EVENTS_SQL}))
      WHERE i.hub = $1 AND i.instance_id = $2
      RETURNING i.ready_at
    )
    SELECT pg_notify($3, signal) FROM unnest($4::text[]) AS signal
    UNION ALL
    SELECT pg_notify($3, $5) FROM refreshed WHERE ready_at IS NOT NULL`,
    [hub, instanceId, store.channel, signals.map((signal) => encodeSignal(hub, signal)), encodeSignal(hub, { kind: 'orchestration' })]),
  );
}
