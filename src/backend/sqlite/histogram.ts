/**
 * The dashboard's histogram. On statuses and creation times alone, per status, interval by interval over
 * instances_by_status (hub, status, created_at, …): a seek to the first instance at or after the interval's
 * start, then a count of the interval's range. A range count steps the index without building anything;
 * `GROUP BY` of the interval number, an expression, builds a temporary b-tree of every entry (at 1,000,000
 * instances 128 ms of CPU against 17 ms, docs/benchmarks.md "Instance management"). The seek skips empty
 * intervals, so the statements run are twice the non-empty intervals; past SEEKED_INTERVALS of them in one
 * status (intervals so narrow that each holds a few instances) the rest of its range is grouped at once.
 * With a name or an id prefix, whose indexes do not hold the status: one grouped count over that index's
 * range, which reads each matching row once (per status, it would read them once for every status).
 */
import type Database from 'better-sqlite3';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../core/history.js';
import type { HistogramCount, HistogramRequest } from '../backend.js';
import { compareHistogramCounts, countedFrom, mergeHistogramCounts, rollupPlan, SEEKED_INTERVALS, validateHistogramRequest } from '../histogram.js';
import { hasTags, instanceFilter, statusesIn, statusesOf } from './instance-filter.js';

type Params = Record<string, unknown>;

export class InstanceHistogram {
  /** One statement per filter shape, prepared on first use. */
  private readonly statements = new Map<string, Database.Statement<[Params], unknown>>();

  constructor(private readonly db: Database.Database) {}

  /**
   * Run inside a read transaction: the statuses are counted on one snapshot. Whole minutes are read from
   * the rollup instance_histogram (docs/adr/0032-histogram-rollup.md), one row per non-empty minute and
   * status instead of one index entry per instance; partial minutes at the range's ends from the instances.
   */
  count(hub: string, request: HistogramRequest): HistogramCount[] {
    validateHistogramRequest(request);
    const plan = rollupPlan(request);
    if (plan === undefined) return this.countInstances(hub, request);
    // Every status named, so the primary key is sought per status at the range's start, not walked from the hub's first minute.
    const statuses = statusesIn(statusesOf(request) ?? RUNTIME_STATUSES);
    const upTo = plan.rollup.to === undefined ? '' : ' AND minute < @to';
    const bounds = plan.rollup.to === undefined ? { from: plan.rollup.from } : plan.rollup;
    const rows = this.prepared(`SELECT status, CAST((minute - @origin) / @intervalMs AS INTEGER) AS interval, sum(count) AS n
      FROM instance_histogram WHERE hub = @hub${statuses.sql} AND minute >= @from${upTo} GROUP BY status, interval`)
      .all({ hub, origin: request.origin, intervalMs: request.intervalMs, ...bounds, ...statuses.params }) as { status: RuntimeStatus; interval: number; n: number }[];
    const whole = rows.map((row) => ({ intervalStart: request.origin + row.interval * request.intervalMs, status: row.status, count: row.n }));
    return mergeHistogramCounts([whole, ...plan.edges.map((edge) => this.countInstances(hub, edge))]);
  }

  private countInstances(hub: string, request: HistogramRequest): HistogramCount[] {
    const query = { ...request, createdFrom: countedFrom(request) };
    if (request.name !== undefined || request.instanceIdPrefix || hasTags(request)) return this.countOnce(hub, request, query);
    const counts: HistogramCount[] = [];
    for (const status of statusesOf(request) ?? RUNTIME_STATUSES) counts.push(...this.countStatus(hub, request, query, status));
    return counts.sort(compareHistogramCounts);
  }

  private countStatus(hub: string, request: HistogramRequest, query: HistogramRequest, status: RuntimeStatus): HistogramCount[] {
    // The lower bound is @start alone: with two, SQLite seeks by one and tests the other on every entry.
    const filter = instanceFilter({ ...query, createdFrom: undefined }, status);
    const params = { hub, ...filter.params };
    const next = this.prepared(`SELECT created_at FROM instances WHERE hub = @hub${filter.sql} AND created_at >= @start
      ORDER BY created_at LIMIT 1`).pluck();
    const inRange = this.prepared(`SELECT count(*) FROM instances WHERE hub = @hub${filter.sql} AND created_at >= @start AND created_at < @end`).pluck();
    const counts: HistogramCount[] = [];
    let start = query.createdFrom!;
    for (let seeked = 0; seeked < SEEKED_INTERVALS; seeked++) {
      const createdAt = next.get({ ...params, start }) as number | undefined;
      if (createdAt === undefined) return counts;
      const intervalStart = request.origin + Math.floor((createdAt - request.origin) / request.intervalMs) * request.intervalMs;
      start = intervalStart + request.intervalMs;
      counts.push({ intervalStart, status, count: inRange.get({ ...params, start: createdAt, end: start }) as number });
    }
    // better-sqlite3 binds numbers as REAL: the cast truncates, and created_at >= origin makes that a floor.
    const rest = this.prepared(`SELECT CAST((created_at - @origin) / @intervalMs AS INTEGER) AS interval, count(*) AS n FROM instances
      WHERE hub = @hub${filter.sql} AND created_at >= @start GROUP BY interval`);
    const rows = rest.all({ ...params, start, origin: request.origin, intervalMs: request.intervalMs }) as { interval: number; n: number }[];
    for (const row of rows) counts.push({ intervalStart: request.origin + row.interval * request.intervalMs, status, count: row.n });
    return counts;
  }

  private countOnce(hub: string, request: HistogramRequest, query: HistogramRequest): HistogramCount[] {
    const filter = instanceFilter(query);
    const statuses = statusesIn(statusesOf(request) ?? []);
    const sql = `SELECT status, CAST((created_at - @origin) / @intervalMs AS INTEGER) AS interval, count(*) AS n FROM instances
      WHERE hub = @hub${filter.sql}${statuses.sql} GROUP BY status, interval`;
    const rows = this.prepared(sql).all({ hub, origin: request.origin, intervalMs: request.intervalMs, ...filter.params, ...statuses.params }) as { status: RuntimeStatus; interval: number; n: number }[];
    return rows.map((row) => ({ intervalStart: request.origin + row.interval * request.intervalMs, status: row.status, count: row.n })).sort(compareHistogramCounts);
  }

  private prepared(sql: string): Database.Statement<[Params], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
