/**
 * The dashboard's histogram, over instances_by_status (hub, status, created_at, …). On statuses and
 * creation times alone, per status, interval by interval in one recursive statement: an index seek to the
 * first instance at or after an interval's start, then an index-only count of that interval's range. A
 * `GROUP BY` of the interval number, an expression, sorted all 1,000,000 entries on disk (the planner
 * expected 100,000 groups where there were 22) and had the statement compiled by JIT: 1.1 s against 0.5 s
 * on the same loaded machine (docs/benchmarks.md "Instance management"). The seek skips empty intervals;
 * past SEEKED_INTERVALS non-empty ones in a status, the rest of its range is grouped in a second statement.
 * With a name, an id prefix or tags, whose indexes do not hold the status: one grouped count.
 */
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../core/history.js';
import type { HistogramCount, HistogramRequest } from '../backend.js';
import { compareHistogramCounts, countedFrom, mergeHistogramCounts, rollupPlan, SEEKED_INTERVALS, validateHistogramRequest } from '../histogram.js';
import type { PostgresStore } from './connection.js';
import { instanceConditions, SqlParams, statusCondition } from './instance-filter.js';
import { toNumber, type BigintText } from './rows.js';

type CountRow = { interval: BigintText; status: RuntimeStatus; count: BigintText };

/**
 * Whole minutes from the rollup instance_histogram (docs/adr/0032-histogram-rollup.md): a range of its
 * primary key, one row per non-empty minute, status and counting slot instead of one index entry per
 * instance; the partial minutes at the range's ends from the instances, concurrently.
 */
export async function instanceHistogram(store: PostgresStore, hub: string, request: HistogramRequest): Promise<HistogramCount[]> {
  validateHistogramRequest(request);
  const plan = rollupPlan(request);
  if (plan === undefined) return countInstances(store, hub, request);
  const parts = await Promise.all([rollupCounts(store, hub, request, plan.rollup), ...plan.edges.map((edge) => countInstances(store, hub, edge))]);
  return mergeHistogramCounts(parts);
}

async function rollupCounts(store: PostgresStore, hub: string, request: HistogramRequest, range: { from: number; to?: number }): Promise<HistogramCount[]> {
  const params = new SqlParams();
  const hubParam = params.add(hub);
  const origin = `${params.add(request.origin)}::bigint`;
  const width = `${params.add(request.intervalMs)}::bigint`;
  // Every status named, so the primary key is sought per status at the range's start, not walked from the hub's first minute.
  const statuses = statusCondition(request.statuses?.length ? [...new Set(request.statuses)] : RUNTIME_STATUSES, params);
  const upTo = range.to === undefined ? '' : ` AND minute < ${params.add(range.to)}::bigint`;
  // minute >= from >= origin: the bigint division truncates a non-negative dividend, a floor.
  const sql = `SELECT (minute - ${origin}) / ${width} AS interval, status, sum(count) AS count
    FROM ${store.tables.instanceHistogram} WHERE hub = ${hubParam}${statuses} AND minute >= ${params.add(range.from)}::bigint${upTo}
    GROUP BY 1, 2`;
  const rows = (await store.pool.query<CountRow>(sql, params.values)).rows;
  return rows.map((row) => ({ intervalStart: request.origin + toNumber(row.interval) * request.intervalMs, status: row.status, count: toNumber(row.count) }));
}

async function countInstances(store: PostgresStore, hub: string, request: HistogramRequest): Promise<HistogramCount[]> {
  const statuses = request.statuses?.length ? [...new Set(request.statuses)] : RUNTIME_STATUSES;
  const from = countedFrom(request);
  const rows: CountRow[] = [];
  if (request.name !== undefined || request.instanceIdPrefix || (request.tags !== undefined && Object.keys(request.tags).length > 0)) {
    rows.push(...(await groupedCounts(store, hub, request, statuses, from)));
  } else {
    const seeked = await countsByRange(store, hub, request, statuses, from);
    rows.push(...seeked);
    // A status that used up its seeks: the rest of its range, from the interval after its last one.
    const last = new Map<RuntimeStatus, number>();
    for (const row of seeked) if (row.seeked === SEEKED_INTERVALS) last.set(row.status, toNumber(row.interval));
    for (const [status, interval] of last) {
      rows.push(...(await groupedCounts(store, hub, request, [status], request.origin + (interval + 1) * request.intervalMs)));
    }
  }
  return rows
    .map((row) => ({ intervalStart: request.origin + toNumber(row.interval) * request.intervalMs, status: row.status, count: toNumber(row.count) }))
    .sort(compareHistogramCounts);
}

async function countsByRange(
  store: PostgresStore,
  hub: string,
  request: HistogramRequest,
  statuses: readonly RuntimeStatus[],
  from: number,
): Promise<(CountRow & { seeked: number })[]> {
  const params = new SqlParams();
  const hubParam = params.add(hub);
  const origin = `${params.add(request.origin)}::bigint`;
  const width = `${params.add(request.intervalMs)}::bigint`;
  // The lower bound of each seek is the interval's start alone, so the index range starts there.
  const filters = instanceConditions({ ...request, createdFrom: undefined }, params, { table: store.tables.instanceTags, hub });
  const instances = store.tables.instances;
  const firstAtOrAfter = (status: string, start: string) =>
    `(SELECT min(created_at) FROM ${instances} WHERE hub = ${hubParam} AND status = ${status}${filters} AND created_at >= ${start})`;
  // bigint / bigint truncates; created_at >= origin keeps the dividend non-negative, so it is a floor.
  const intervalOf = (created: string) => `(${created} - ${origin}) / ${width}`;
  const sql = `WITH RECURSIVE seeks AS (
      SELECT s.status, ${firstAtOrAfter('s.status', `${params.add(from)}::bigint`)} AS created, 1 AS seeked
      FROM unnest(${params.add(statuses)}::text[]) s(status)
      UNION ALL
      SELECT k.status, ${firstAtOrAfter('k.status', `${origin} + (${intervalOf('k.created')} + 1) * ${width}`)}, k.seeked + 1
      FROM seeks k WHERE k.created IS NOT NULL AND k.seeked < ${params.add(SEEKED_INTERVALS)}
    )
    SELECT k.status, ${intervalOf('k.created')} AS interval, k.seeked,
      (SELECT count(*) FROM ${instances} WHERE hub = ${hubParam} AND status = k.status${filters}
        AND created_at >= k.created AND created_at < ${origin} + (${intervalOf('k.created')} + 1) * ${width}) AS count
    FROM seeks k WHERE k.created IS NOT NULL`;
  return (await store.pool.query<CountRow & { seeked: number }>(sql, params.values)).rows;
}

/** One grouped count of every matching instance created at or after `from`. */
async function groupedCounts(
  store: PostgresStore,
  hub: string,
  request: HistogramRequest,
  statuses: readonly RuntimeStatus[],
  from: number,
): Promise<CountRow[]> {
  const params = new SqlParams();
  const hubParam = params.add(hub);
  const origin = params.add(request.origin);
  const intervalMs = params.add(request.intervalMs);
  const conditions = statusCondition(statuses, params) + instanceConditions({ ...request, createdFrom: from }, params, { table: store.tables.instanceTags, hub });
  const sql = `SELECT (created_at - ${origin}::bigint) / ${intervalMs}::bigint AS interval, status, count(*) AS count
    FROM ${store.tables.instances} WHERE hub = ${hubParam}${conditions}
    GROUP BY 1, 2`;
  return (await store.pool.query<CountRow>(sql, params.values)).rows;
}
