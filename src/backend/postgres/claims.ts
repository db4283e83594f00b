/**
 * Claiming orchestration work and giving it back. A claim is one call, one round trip (its server function
 * is in sql/claims.sql): it picks up to `max` ready instances with FOR UPDATE SKIP LOCKED, so concurrent
 * claimers on other connections pass over each other's rows instead of queuing, leases them, and returns
 * them with their histories and inboxes. The lease, not the row lock, keeps the instance on this worker
 * while the step runs; the row lock lasts only for the claim's transaction.
 */
import type { HistoryEvent, InboxEvent } from '../../core/history.js';
import type { CachedHistory, Claimed, ClaimOptions, InboxMessage, OrchestrationWorkItem } from '../backend.js';
import { emptyClaim } from '../claimed.js';
import { named, type PostgresStore } from './connection.js';
import { toInstanceRecord, toNumber, type BigintText, type InstanceRow } from './rows.js';
import { encodeSignal } from './signals.js';
import { NOW_MS } from './sql.js';

/** A row of the server function work_items (bigints as text, or as numbers when it comes inside jsonb). */
export type ClaimedRow = InstanceRow & {
  input: string | null;
  lock_token: string;
  claimed_at: BigintText | number;
  failed_attempts: number;
  history_length: number;
  /** JSON array of the history's events, oldest first; null when the claiming worker holds it (ClaimOptions.cachedHistories). */
  history: string | null;
  /** JSON array of [id, execution id, event] of the visible inbox, in arrival order; null when empty. */
  messages: string | null;
};

/** One call of the server function claim_orchestrations (sql/claims.sql): the claim and the reads, or the time until timed work. */
export async function claimOrchestrations(store: PostgresStore, hub: string, options: ClaimOptions): Promise<Claimed<OrchestrationWorkItem>> {
  const claimed = await store.pool.query<ClaimedRow & TimedWorkColumn>(
    named('claim_orchestrations', `SELECT * FROM ${store.tables.schema}.claim_orchestrations($1, $2, $3, $4, $5)`,
    [hub, options.max, options.workerId, options.leaseMs, encodeCachedHistories(options.cachedHistories)]),
  );
  const empty = asEmptyClaim<ClaimedRow & TimedWorkColumn, OrchestrationWorkItem>(claimed.rows, (row) => row.instance_id === null);
  return empty ?? claimed.rows.map(toWorkItem);
}

/** The column of a claim's rows that an empty claim answers in its one row (sql/claims.sql). */
export interface TimedWorkColumn {
  ms_until_timed_work: BigintText | null;
}

/** The empty claim that `rows` are when their one row is the all-null row `isEmptyRow` tells (sql/claims.sql). */
export function asEmptyClaim<R extends TimedWorkColumn, T>(rows: readonly R[], isEmptyRow: (row: R) => boolean): Claimed<T> | undefined {
  const [first] = rows;
  if (rows.length !== 1 || !isEmptyRow(first!)) return undefined;
  return emptyClaim(first!.ms_until_timed_work === null ? undefined : toNumber(first!.ms_until_timed_work));
}

/** The histories a worker holds, as the server functions take them: {instance_id: [execution_id, length]}; null when none. */
function encodeCachedHistories(cached: ReadonlyMap<string, CachedHistory> | undefined): string | null {
  if (cached === undefined || cached.size === 0) return null;
  const encoded: Record<string, [string, number]> = {};
  for (const [instanceId, held] of cached) encoded[instanceId] = encodeCachedHistory(held);
  return JSON.stringify(encoded);
}

export function encodeCachedHistory(held: CachedHistory): [string, number] {
  return [held.executionId, held.length];
}

export function toWorkItem(row: ClaimedRow): OrchestrationWorkItem {
  const item: OrchestrationWorkItem = {
    instance: toInstanceRecord(row),
    historyLength: row.history_length,
    messages: row.messages === null ? [] : (JSON.parse(row.messages) as [string, string | null, InboxEvent][]).map(toInboxMessage),
    lockToken: row.lock_token,
    claimedAt: toNumber(row.claimed_at),
    failedAttempts: row.failed_attempts,
  };
  if (row.history !== null) item.history = JSON.parse(row.history) as HistoryEvent[];
  return item;
}

function toInboxMessage([id, executionId, event]: [string, string | null, InboxEvent]): InboxMessage {
  const message: InboxMessage = { id, event };
  if (executionId !== null) message.executionId = executionId;
  return message;
}

/** Clears the lease if `lockToken` still holds it; the instance can be claimed again after `retryAfterMs`. */
export async function abandonOrchestration(
  store: PostgresStore,
  hub: string,
  instanceId: string,
  lockToken: string,
  retryAfterMs: number,
  failed: boolean,
): Promise<void> {
  await store.pool.query(
    named('abandon_orchestration', `WITH released AS (
      UPDATE ${store.tables.instances}
      SET lock_token = NULL, locked_by = NULL, lock_expires_at = ${NOW_MS} + $4, failed_attempts = failed_attempts + $7
      WHERE hub = $1 AND instance_id = $2 AND lock_token = $3
      RETURNING 1
    )
    SELECT pg_notify($5, $6) FROM released`,
    [hub, instanceId, lockToken, retryAfterMs, store.channel, encodeSignal(hub, { kind: 'orchestration' }), failed ? 1 : 0]),
  );
}
