/**
 * The dashboard's histogram: one grouped count over instances_by_status (hub, status, created_at, …). The
 * statuses are always named (every status when the query names none), so the index's status column bounds
 * the scan too, and a query on statuses and creation times is answered from the index alone.
 */
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../core/history.js';
import type { HistogramCount, HistogramRequest } from '../backend.js';
import { compareHistogramCounts, countedFrom, validateHistogramRequest } from '../histogram.js';
import type { PostgresStore } from './connection.js';
import { instanceConditions, SqlParams, statusCondition } from './instance-filter.js';
import { toNumber, type BigintText } from './rows.js';

export async function instanceHistogram(store: PostgresStore, hub: string, request: HistogramRequest): Promise<HistogramCount[]> {
  validateHistogramRequest(request);
  const params = new SqlParams();
  const hubParam = params.add(hub);
  const origin = params.add(request.origin);
  const intervalMs = params.add(request.intervalMs);
  const statuses = request.statuses?.length ? request.statuses : RUNTIME_STATUSES;
  const conditions = statusCondition(statuses, params) + instanceConditions({ ...request, createdFrom: countedFrom(request) }, params, { table: store.tables.instanceTags, hub });
  // bigint / bigint truncates; created_at >= origin keeps the dividend non-negative.
  const sql = `SELECT (created_at - ${origin}::bigint) / ${intervalMs}::bigint AS interval, status, count(*) AS count
    FROM ${store.tables.instances} WHERE hub = ${hubParam}${conditions}
    GROUP BY 1, 2`;
  const rows = (await store.pool.query<{ interval: BigintText; status: RuntimeStatus; count: BigintText }>(sql, params.values)).rows;
  return rows
    .map((row) => ({ intervalStart: request.origin + toNumber(row.interval) * request.intervalMs, status: row.status, count: toNumber(row.count) }))
    .sort(compareHistogramCounts);
}
