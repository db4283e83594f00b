/**
 * Listing and counting instances, with keyset paging over (created_at, row_seq), either way. A page is read in two
 * statements of one read transaction: first the candidates' positions and payload sizes (octet_length()
 * reads a value's size without its content), then the rows that fit the page's byte bound
 * (page-budget.ts), by row_seq; large columns beyond the bound are never read.
 */
import type Database from 'better-sqlite3';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../core/history.js';
import { InvalidArgumentError } from '../../errors.js';
import type { InstancePage, InstanceQuery, ListInstancesRequest } from '../backend.js';
import { hasTags, instanceFilter, statusesIn, statusesOf } from './instance-filter.js';
import { isPrefixOnly, PREFIX_WALK } from '../instance-listing.js';
import { MAX_PAGE_PAYLOAD_BYTES, rowsWithinBudget } from '../page-budget.js';
import { decodePageToken, encodePageToken, type PagePosition } from '../page-token.js';
import { toInstanceRecord, type InstanceRow } from './rows.js';

const COLUMNS_WITHOUT_INPUT = `row_seq, instance_id, execution_id, name, status, output, custom_status, created_at,
  last_updated_at, completed_at, scheduled_start_at, parent_instance_id, lock_token, locked_by, lock_expires_at, tags`;
const PAYLOAD_WITHOUT_INPUT = 'coalesce(octet_length(output), 0) + coalesce(octet_length(custom_status), 0) + coalesce(octet_length(tags), 0)';

/** A candidate of a page: where it is in the listing order, and the size of what the page would hold of it. */
interface Candidate {
  row_seq: number;
  created_at: number;
  payload_bytes: number;
}

export class InstanceListing {
  /** Filter combinations are few (at most 2^7 shapes), so each statement is prepared once, on first use. */
  private readonly statements = new Map<string, Database.Statement<[Record<string, unknown>], unknown>>();

  constructor(private readonly db: Database.Database) {}

  /** Run inside a read transaction (several statements read one snapshot). */
  list(hub: string, request: ListInstancesRequest): InstancePage {
    if (!Number.isSafeInteger(request.pageSize) || request.pageSize < 1) {
      throw new InvalidArgumentError(`the page size must be a positive integer, not ${request.pageSize}`);
    }
    const order = request.orderBy ?? 'oldest';
    const after = request.continuationToken === undefined ? undefined : decodePageToken(request.continuationToken, order);
    // One more row than the page tells whether another page follows.
    const limit = request.pageSize + 1;
    // Each status is read in listing order from instances_by_status and the runs are merged, rather than
    // `status IN (…)`, which would sort every matching row to return one page.
    const runs = hasTags(request)
      ? [this.taggedCandidates(hub, request, after, limit)]
      : (statusesOf(request) ?? [undefined]).map((status) => this.candidates(hub, request, status, after, limit));
    const candidates = runs.flat().sort(order === 'newest' ? (a, b) => compareListingOrder(b, a) : compareListingOrder).slice(0, limit);
    const counted = candidates.slice(0, request.pageSize);
    const fitting = counted.slice(0, rowsWithinBudget(counted.map((row) => row.payload_bytes), request.maxPayloadBytes ?? MAX_PAGE_PAYLOAD_BYTES));
    const columns = request.includeInput ? `${COLUMNS_WITHOUT_INPUT}, input` : COLUMNS_WITHOUT_INPUT;
    const read = this.prepared(`SELECT ${columns} FROM instances WHERE row_seq = @rowSeq`);
    const page = fitting.map((candidate) => read.get({ rowSeq: candidate.row_seq }) as InstanceRow);
    const last = fitting[fitting.length - 1];
    const result: InstancePage = { instances: page.map(toInstanceRecord) };
    if (candidates.length > fitting.length && last !== undefined) {
      result.continuationToken = encodePageToken({ createdAt: last.created_at, rowSeq: last.row_seq }, order);
    }
    return result;
  }

  /** Run inside a read transaction. Statuses with no instance are left out. */
  count(hub: string, query: InstanceQuery): Partial<Record<RuntimeStatus, number>> {
    // The name and id indexes do not hold the status: one grouped count reads each matching row once,
    // where a count per status would read them once for every status.
    if (query.name !== undefined || query.instanceIdPrefix || hasTags(query)) return this.countGrouped(hub, query);
    const counts: Partial<Record<RuntimeStatus, number>> = {};
    for (const status of statusesOf(query) ?? RUNTIME_STATUSES) {
      const filter = instanceFilter(query, status);
      const statement = this.prepared(`SELECT count(*) AS n FROM instances WHERE hub = @hub${filter.sql}`);
      const { n } = statement.get({ hub, ...filter.params }) as { n: number };
      if (n > 0) counts[status] = n;
    }
    return counts;
  }

  private countGrouped(hub: string, query: InstanceQuery): Partial<Record<RuntimeStatus, number>> {
    const filter = instanceFilter(query);
    const statuses = statusesIn(statusesOf(query) ?? []);
    const statement = this.prepared(`SELECT status, count(*) AS n FROM instances WHERE hub = @hub${filter.sql}${statuses.sql} GROUP BY status`);
    const rows = statement.all({ hub, ...filter.params, ...statuses.params }) as { status: RuntimeStatus; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  private candidates(
    hub: string,
    request: ListInstancesRequest,
    status: RuntimeStatus | undefined,
    after: PagePosition | undefined,
    limit: number,
  ): Candidate[] {
    const filter = instanceFilter(request, status);
    const payload = request.includeInput ? `${PAYLOAD_WITHOUT_INPUT} + coalesce(octet_length(input), 0)` : PAYLOAD_WITHOUT_INPUT;
    // Newest first walks the same indexes backwards.
    const newestFirst = request.orderBy === 'newest';
    const position = after === undefined ? '' : ` AND (created_at, row_seq) ${newestFirst ? '<' : '>'} (@afterCreatedAt, @afterRowSeq)`;
    const order = newestFirst ? 'created_at DESC, row_seq DESC' : 'created_at, row_seq';
    const params = { hub, ...filter.params, limit, ...(after && { afterCreatedAt: after.createdAt, afterRowSeq: after.rowSeq }) };
    if (status === undefined && isPrefixOnly(request)) {
      // The first PREFIX_WALK instances in listing order, tested against the prefix (instance-listing.ts):
      // a whole page found in the walk is the first page of all. Otherwise the prefix's range of
      // instances_by_id, sorted, as below.
      const times = instanceFilter({ createdFrom: request.createdFrom, createdTo: request.createdTo });
      const walk = this.prepared(`SELECT row_seq, created_at, payload_bytes FROM (
          SELECT row_seq, created_at, instance_id, last_updated_at, ${payload} AS payload_bytes FROM instances
          WHERE hub = @hub${times.sql}${position} ORDER BY ${order} LIMIT @walk)
        WHERE 1${filter.sql} ORDER BY ${order} LIMIT @limit`);
      const found = walk.all({ ...params, walk: PREFIX_WALK }) as Candidate[];
      if (found.length === limit) return found;
    }
    const statement = this.prepared(`SELECT row_seq, created_at, ${payload} AS payload_bytes FROM instances WHERE hub = @hub${filter.sql}${position}
      ORDER BY ${order} LIMIT @limit`);
    return statement.all(params) as Candidate[];
  }

  /**
   * The first tag's range of instance_tags_by_order, in listing order, drives (CROSS JOIN keeps SQLite
   * from choosing another outer loop): each entry's instance is read by row_seq, its primary key, and
   * tested against every other filter (its statuses at once), until a page and one more are found.
   */
  private taggedCandidates(hub: string, request: ListInstancesRequest, after: PagePosition | undefined, limit: number): Candidate[] {
    const [[drivingKey, drivingValue], ...others] = Object.entries(request.tags ?? {}) as [[string, string], ...[string, string][]];
    const filter = instanceFilter({ ...request, tags: Object.fromEntries(others) }, undefined, 'i.');
    const statuses = statusesIn(statusesOf(request) ?? [], 'i.');
    const times = instanceFilter({ createdFrom: request.createdFrom, createdTo: request.createdTo }, undefined, 't.');
    const payload = request.includeInput ? `${PAYLOAD_WITHOUT_INPUT} + coalesce(octet_length(input), 0)` : PAYLOAD_WITHOUT_INPUT;
    const newestFirst = request.orderBy === 'newest';
    const position = after === undefined ? '' : ` AND (t.created_at, t.row_seq) ${newestFirst ? '<' : '>'} (@afterCreatedAt, @afterRowSeq)`;
    const order = newestFirst ? 't.created_at DESC, t.row_seq DESC' : 't.created_at, t.row_seq';
    const statement = this.prepared(`SELECT t.row_seq, t.created_at, ${payload} AS payload_bytes
      FROM instance_tags t CROSS JOIN instances i ON i.row_seq = t.row_seq
      WHERE t.hub = @hub AND t.key = @drivingKey AND t.value = @drivingValue${times.sql}${position}
        AND i.hub = @hub${filter.sql}${statuses.sql}
      ORDER BY ${order} LIMIT @limit`);
    return statement.all({
      hub, drivingKey, drivingValue, limit, ...filter.params, ...statuses.params, ...times.params,
      ...(after && { afterCreatedAt: after.createdAt, afterRowSeq: after.rowSeq }),
    }) as Candidate[];
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

function compareListingOrder(a: Candidate, b: Candidate): number {
  return a.created_at - b.created_at || a.row_seq - b.row_seq;
}
