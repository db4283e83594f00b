/**
 * The dashboard's histogram: one grouped count per status over instances_by_status (hub, status,
 * created_at, …), which holds every column a query on statuses and creation times needs, so no row is read.
 */
import type Database from 'better-sqlite3';
import { RUNTIME_STATUSES } from '../../core/history.js';
import type { HistogramCount, HistogramRequest } from '../backend.js';
import { compareHistogramCounts, countedFrom, validateHistogramRequest } from '../histogram.js';
import { instanceFilter, statusesOf } from './instance-filter.js';

export class InstanceHistogram {
  /** One statement per filter shape, prepared on first use. */
  private readonly statements = new Map<string, Database.Statement<[Record<string, unknown>], unknown>>();

  constructor(private readonly db: Database.Database) {}

  /** Run inside a read transaction: the statuses are counted on one snapshot. */
  count(hub: string, request: HistogramRequest): HistogramCount[] {
    validateHistogramRequest(request);
    const query = { ...request, createdFrom: countedFrom(request) };
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

  private prepared(sql: string): Database.Statement<[Record<string, unknown>], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
