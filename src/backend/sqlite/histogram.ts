/**
 * The dashboard's histogram. On statuses and creation times alone: one grouped count per status over
 * instances_by_status (hub, status, created_at, …), which holds every column those need, so no row is read.
 * With a name or an id prefix, whose indexes do not hold the status: one grouped count over that index's
 * range, which reads each matching row once (per status, it would read them once for every status).
 */
import type Database from 'better-sqlite3';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../core/history.js';
import type { HistogramCount, HistogramRequest } from '../backend.js';
import { compareHistogramCounts, countedFrom, validateHistogramRequest } from '../histogram.js';
import { hasTags, instanceFilter, statusesIn, statusesOf } from './instance-filter.js';

export class InstanceHistogram {
  /** One statement per filter shape, prepared on first use. */
  private readonly statements = new Map<string, Database.Statement<[Record<string, unknown>], unknown>>();

  constructor(private readonly db: Database.Database) {}

  /** Run inside a read transaction: the statuses are counted on one snapshot. */
  count(hub: string, request: HistogramRequest): HistogramCount[] {
    validateHistogramRequest(request);
    const query = { ...request, createdFrom: countedFrom(request) };
    if (request.name !== undefined || request.instanceIdPrefix || hasTags(request)) return this.countOnce(hub, request, query);
    const counts: HistogramCount[] = [];
    for (const status of statusesOf(request) ?? RUNTIME_STATUSES) {
      const filter = instanceFilter(query, status);
      // better-sqlite3 binds numbers as REAL: the cast truncates, and created_at >= origin makes that a floor.
      const sql = `SELECT CAST((created_at - @origin) / @intervalMs AS INTEGER) AS interval, count(*) AS n FROM instances
        WHERE hub = @hub${filter.sql} GROUP BY interval`;
      const rows = this.prepared(sql).all({ hub, origin: request.origin, intervalMs: request.intervalMs, ...filter.params }) as { interval: number; n: number }[];
      for (const row of rows) counts.push({ intervalStart: request.origin + row.interval * request.intervalMs, status, count: row.n });
    }
    return counts.sort(compareHistogramCounts);
  }

  private countOnce(hub: string, request: HistogramRequest, query: HistogramRequest): HistogramCount[] {
    const filter = instanceFilter(query);
    const statuses = statusesIn(statusesOf(request) ?? []);
    const sql = `SELECT status, CAST((created_at - @origin) / @intervalMs AS INTEGER) AS interval, count(*) AS n FROM instances
      WHERE hub = @hub${filter.sql}${statuses.sql} GROUP BY status, interval`;
    const rows = this.prepared(sql).all({ hub, origin: request.origin, intervalMs: request.intervalMs, ...filter.params, ...statuses.params }) as { status: RuntimeStatus; interval: number; n: number }[];
    return rows.map((row) => ({ intervalStart: request.origin + row.interval * request.intervalMs, status: row.status, count: row.n })).sort(compareHistogramCounts);
  }

  private prepared(sql: string): Database.Statement<[Record<string, unknown>], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
