/**
 * Claiming orchestration work and giving it back. A claim is one statement (DESIGN.md, lesson 8): it picks
 * up to `max` ready instances with FOR UPDATE SKIP LOCKED, so concurrent claimers on other connections
 * pass over each other's rows instead of queuing, and leases them. The lease, not the row lock, keeps the
 * instance on this worker while the step runs; the row lock lasts only for the claim statement.
 */
import type { HistoryEvent, InboxEvent } from '../../core/history.js';
import type { ClaimOptions, InboxMessage, OrchestrationWorkItem } from '../backend.js';
import { named, type PostgresStore } from './db.js';
import { INSTANCE_COLUMNS, toInstanceRecord, toNumber, type BigintText, type InstanceRow } from './rows.js';
import { encodeSignal } from './signals.js';
import { NOW_MS } from './sql.js';

type ClaimedRow = InstanceRow & { input: string | null; lock_token: string; claimed_at: BigintText };

export async function claimOrchestrations(store: PostgresStore, hub: string, options: ClaimOptions): Promise<OrchestrationWorkItem[]> {
  const { instances } = store.tables;
  // Oldest ready first (ready_at is the earliest claimable message), from the partial index instances_ready.
  // A row another claimer has just leased is re-checked after its lock is released and left out.
  const claimed = await store.pool.query<ClaimedRow>(
    named('claim_orchestrations', `WITH now AS (SELECT ${NOW_MS} AS t),
    picked AS (
      SELECT i.instance_id AS picked_id FROM ${instances} i, now
      WHERE i.hub = $1 AND i.ready_at <= now.t AND (i.lock_expires_at IS NULL OR i.lock_expires_at <= now.t)
      ORDER BY i.ready_at
      LIMIT $2
      FOR UPDATE OF i SKIP LOCKED
    )
    UPDATE ${instances} i
    SET lock_token = gen_random_uuid()::text, locked_by = $3, lock_expires_at = now.t + $4
    FROM picked, now
    WHERE i.hub = $1 AND i.instance_id = picked.picked_id
    RETURNING ${INSTANCE_COLUMNS}, input, lock_token, now.t AS claimed_at`,
    [hub, options.max, options.workerId, options.leaseMs]),
  );
  if (claimed.rows.length === 0) return [];

  const ids = claimed.rows.map((row) => row.instance_id);
  const claimedAt = toNumber(claimed.rows[0]!.claimed_at);
  // Separate statements, not subqueries of the claim: the claim can lease a row that the previous owner's
  // commit released after the claim statement took its snapshot (the row is re-checked at its newest
  // version), and a subquery would read the history as of that snapshot, without the step just committed.
  // Each new statement sees every commit before it. Both at once, on two pooled connections: the lease
  // keeps the rows still.
  const [histories, inboxes] = await Promise.all([historiesOf(store, hub, ids), visibleMessagesOf(store, hub, ids, claimedAt)]);
  return claimed.rows.map((row) => ({
    instance: toInstanceRecord(row),
    history: histories.get(row.instance_id) ?? [],
    messages: inboxes.get(row.instance_id) ?? [],
    lockToken: row.lock_token,
    claimedAt,
  }));
}

/** Clears the lease if `lockToken` still holds it; the instance can be claimed again after `retryAfterMs`. */
export async function abandonOrchestration(
  store: PostgresStore,
  hub: string,
  instanceId: string,
  lockToken: string,
  retryAfterMs: number,
): Promise<void> {
  await store.pool.query(
    named('abandon_orchestration', `WITH released AS (
      UPDATE ${store.tables.instances}
      SET lock_token = NULL, locked_by = NULL, lock_expires_at = ${NOW_MS} + $4
      WHERE hub = $1 AND instance_id = $2 AND lock_token = $3
      RETURNING 1
    )
    SELECT pg_notify($5, $6) FROM released`,
    [hub, instanceId, lockToken, retryAfterMs, store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
  );
}

async function historiesOf(store: PostgresStore, hub: string, ids: string[]): Promise<Map<string, HistoryEvent[]>> {
  const result = await store.pool.query<{ instance_id: string; event: string }>(
    named('claimed_histories', `SELECT instance_id, event FROM ${store.tables.history}
    WHERE hub = $1 AND instance_id = ANY($2::text[])
    ORDER BY instance_id, sequence`,
    [hub, ids]),
  );
  const histories = new Map<string, HistoryEvent[]>();
  for (const row of result.rows) appendTo(histories, row.instance_id, JSON.parse(row.event) as HistoryEvent);
  return histories;
}

async function visibleMessagesOf(store: PostgresStore, hub: string, ids: string[], now: number): Promise<Map<string, InboxMessage[]>> {
  const result = await store.pool.query<{ instance_id: string; id: BigintText; execution_id: string | null; event: string }>(
    named('claimed_messages', `SELECT instance_id, id, execution_id, event FROM ${store.tables.messages}
    WHERE hub = $1 AND instance_id = ANY($2::text[]) AND visible_at <= $3
    ORDER BY instance_id, id`,
    [hub, ids, now]),
  );
  const inboxes = new Map<string, InboxMessage[]>();
  for (const row of result.rows) {
    const message: InboxMessage = { id: row.id, event: JSON.parse(row.event) as InboxEvent };
    if (row.execution_id !== null) message.executionId = row.execution_id;
    appendTo(inboxes, row.instance_id, message);
  }
  return inboxes;
}

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
