/** Reading one instance: its row and its history, in pages for long histories. */
import type { HistoryEvent } from '../../core/history.js';
import type { HistoryPageRequest, HistoryRecord, InstanceRecord } from '../backend.js';
import { named, type PostgresStore } from './connection.js';
import { INSTANCE_COLUMNS, toInstanceRecord, type InstanceRow } from './rows.js';

export async function getInstance(
  store: PostgresStore,
  hub: string,
  instanceId: string,
  includeInput: boolean,
): Promise<InstanceRecord | undefined> {
  const columns = includeInput ? `${INSTANCE_COLUMNS}, input` : INSTANCE_COLUMNS;
  const result = await store.pool.query<InstanceRow>(
    `SELECT ${columns} FROM ${store.tables.instances} WHERE hub = $1 AND instance_id = $2`,
    [hub, instanceId],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toInstanceRecord(row);
}

export async function getHistory(
  store: PostgresStore,
  hub: string,
  instanceId: string,
  page: HistoryPageRequest = {},
): Promise<HistoryRecord[]> {
  // LIMIT NULL is PostgreSQL's "no limit".
  const result = await store.pool.query<{ sequence: number; event: string }>(
    named('history_page', `SELECT sequence, event FROM ${store.tables.history}
    WHERE hub = $1 AND instance_id = $2 AND sequence >= $3
    ORDER BY sequence LIMIT $4`,
    [hub, instanceId, page.fromSequence ?? 0, page.limit ?? null]),
  );
  return result.rows.map((row) => ({ sequence: row.sequence, event: JSON.parse(row.event) as HistoryEvent }));
}

/** Many instances by id in one query (Backend.getInstances). */
export async function getInstances(
  store: PostgresStore,
  hub: string,
  instanceIds: readonly string[],
  includeInput: boolean,
): Promise<InstanceRecord[]> {
  if (instanceIds.length === 0) return [];
  const columns = includeInput ? `${INSTANCE_COLUMNS}, input` : INSTANCE_COLUMNS;
  const result = await store.pool.query<InstanceRow>(
    named(includeInput ? 'instances_by_id_with_input' : 'instances_by_id', `SELECT ${columns} FROM ${store.tables.instances}
    WHERE hub = $1 AND instance_id = ANY($2::text[])`,
    [hub, instanceIds]),
  );
  return result.rows.map(toInstanceRecord);
}
