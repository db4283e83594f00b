/**
 * Listing instances with keyset paging over (created_at, row_seq), either way, and counting them per status. One
 * statement reads a page: the candidates' positions and payload sizes first (octet_length() of a TOASTed
 * value reads its size, not the value), then, by primary key, the rows that fit the page's byte bound
 * (page-budget.ts): large columns beyond the bound are never read.
 */
import type { RuntimeStatus } from '../../core/history.js';
import { InvalidArgumentError } from '../../errors.js';
import type { InstancePage, InstanceQuery, ListInstancesRequest } from '../backend.js';
import { MAX_PAGE_PAYLOAD_BYTES } from '../page-budget.js';
import { decodePageToken, encodePageToken } from '../page-token.js';
import type { PostgresStore } from './connection.js';
import { instanceConditions, SqlParams, statusCondition } from './instance-filter.js';
import { isPrefixOnly, PREFIX_WALK } from '../instance-listing.js';
import { INSTANCE_COLUMNS, toInstanceRecord, toNumber, type BigintText, type InstanceRow } from './rows.js';

/** A candidate of the page, with the instance's columns when it fits the page (null otherwise). */
type ListedRow = InstanceRow & { position_created_at: BigintText; position_row_seq: BigintText; fits: boolean };

const PAYLOAD_WITHOUT_INPUT = 'coalesce(octet_length(output), 0) + coalesce(octet_length(custom_status), 0) + coalesce(octet_length(tags), 0)';

export async function listInstances(store: PostgresStore, hub: string, request: ListInstancesRequest): Promise<InstancePage> {
  if (!Number.isSafeInteger(request.pageSize) || request.pageSize < 1) {
    throw new InvalidArgumentError(`the page size must be a positive integer, not ${request.pageSize}`);
  }
  if (isPrefixOnly(request)) {
    // The first PREFIX_WALK instances in listing order, tested against the prefix: where the matches are
    // dense there, that finds the page (a whole page found in the walk is the first page of all).
    const walked = await readPage(store, hub, request, (q) => `SELECT * FROM (
        SELECT instance_id, created_at, row_seq, last_updated_at, ${q.payload} AS payload_bytes FROM ${store.tables.instances}
        WHERE hub = ${q.hub}${q.times()}${q.position('')} ORDER BY ${q.order('')} LIMIT ${q.params.add(PREFIX_WALK)}) walked
      WHERE true${q.filters()} ORDER BY ${q.order('')} LIMIT ${q.limit}`);
    if (walked.candidates === request.pageSize + 1) return walked.page;
    // Otherwise the prefix's range of the primary key, then a sort: OFFSET 0 keeps the planner from
    // walking the creation index backwards to the matches instead (271 ms at 1,000,000 for `seed-5`).
    return (await readPage(store, hub, request, (q) => `SELECT * FROM (
        SELECT instance_id, created_at, row_seq, ${q.payload} AS payload_bytes FROM ${store.tables.instances}
        WHERE hub = ${q.hub}${q.filters()}${q.position('')} OFFSET 0) matching
      ORDER BY ${q.order('')} LIMIT ${q.limit}`)).page;
  }
  const tags = Object.entries(request.tags ?? {});
  const [driving] = tags;
  if (driving !== undefined) {
    // The first tag's range of instance_tags_by_order, in listing order, drives: each entry's instance is
    // looked up by primary key and tested against every other filter, until a page (and one more) is found.
    // The instance's filters are written inside the LATERAL so that their bare column names are its own.
    return (await readPage(store, hub, request, (q) => {
      const others = { ...request, tags: Object.fromEntries(tags.slice(1)) };
      const from = request.createdFrom === undefined ? '' : ` AND t.created_at >= ${q.params.add(request.createdFrom)}`;
      const to = request.createdTo === undefined ? '' : ` AND t.created_at <= ${q.params.add(request.createdTo)}`;
      return `SELECT i.instance_id, t.created_at, t.row_seq, i.payload_bytes FROM ${store.tables.instanceTags} t
        CROSS JOIN LATERAL (
          SELECT instance_id, ${q.payload} AS payload_bytes FROM ${store.tables.instances}
          WHERE hub = ${q.hub} AND instance_id = t.instance_id${statusCondition(request.statuses, q.params)}${q.filters(others)}
        ) i
        WHERE t.hub = ${q.hub} AND t.key = ${q.params.add(driving[0])} AND t.value = ${q.params.add(driving[1])}${from}${to}${q.position('t.')}
        ORDER BY ${q.order('t.')} LIMIT ${q.limit}`;
    })).page;
  }
  return (await readPage(store, hub, request, (q) => {
    const select = (status: string) =>
      `SELECT instance_id, created_at, row_seq, ${q.payload} AS payload_bytes FROM ${store.tables.instances}
      WHERE hub = ${q.hub}${status}${q.filters()}${q.position('')}
      ORDER BY ${q.order('')} LIMIT ${q.limit}`;
    // Several statuses: one ordered range of instances_by_status each, merged (a Merge Append), rather than
    // `status = ANY(…)`, which would sort every matching row to return one page.
    const statuses = request.statuses;
    return statuses === undefined || statuses.length <= 1
      ? select(statusCondition(statuses, q.params))
      : `SELECT * FROM (${statuses.map((status) => `(${select(` AND status = ${q.params.add(status)}`)})`).join(' UNION ALL ')}) runs
        ORDER BY ${q.order('')} LIMIT ${q.limit}`;
  })).page;
}

/** The pieces a statement of candidates is made of, its parameters numbered in `params`. */
interface CandidateQuery {
  params: SqlParams;
  hub: string;
  /** Every filter of the request but the statuses, or of `query` when given (its parameters are added when asked). */
  filters: (query?: InstanceQuery) => string;
  /** The creation-time bounds alone (their parameters are added when asked: every one must be used). */
  times: () => string;
  /** After the continuation token's position, on columns named with `prefix`. */
  position: (prefix: string) => string;
  payload: string;
  limit: string;
  order: (prefix: string) => string;
}

/**
 * One statement: the candidates (at most a page and one more, in listing order), then by primary key the
 * rows of those that fit the page. `candidates` counts them: one more than the page tells that another follows.
 */
async function readPage(
  store: PostgresStore,
  hub: string,
  request: ListInstancesRequest,
  candidatesOf: (query: CandidateQuery) => string,
): Promise<{ page: InstancePage; candidates: number }> {
  const newestFirst = request.orderBy === 'newest';
  const after = request.continuationToken === undefined ? undefined : decodePageToken(request.continuationToken, request.orderBy ?? 'oldest');
  const params = new SqlParams();
  const hubParam = params.add(hub);
  const tagScope = { table: store.tables.instanceTags, hub };
  const filters = (query: InstanceQuery = request) => instanceConditions(query, params, tagScope);
  const times = () => instanceConditions({ createdFrom: request.createdFrom, createdTo: request.createdTo }, params, tagScope);
  // Newest first walks the same indexes backwards.
  const position = (prefix: string) =>
    after === undefined ? '' : ` AND (${prefix}created_at, ${prefix}row_seq) ${newestFirst ? '<' : '>'} (${params.add(after.createdAt)}, ${params.add(after.rowSeq)})`;
  const order = (prefix: string) => (newestFirst ? `${prefix}created_at DESC, ${prefix}row_seq DESC` : `${prefix}created_at, ${prefix}row_seq`);
  // One more row than the page tells whether another page follows.
  const limit = params.add(request.pageSize + 1);
  const payload = request.includeInput ? `${PAYLOAD_WITHOUT_INPUT} + coalesce(octet_length(input), 0)` : PAYLOAD_WITHOUT_INPUT;
  const candidates = candidatesOf({ params, hub: hubParam, filters, times, position, payload, limit, order });
  // A candidate fits while the page's running payload stays within the bound; the first always does.
  const sql = `WITH candidates AS (${candidates}),
    sized AS (
      SELECT c.*, row_number() OVER w AS n, sum(c.payload_bytes) OVER w AS running_bytes FROM candidates c
      WINDOW w AS (ORDER BY ${order('c.')} ROWS UNBOUNDED PRECEDING)
    )
    SELECT s.created_at AS position_created_at, s.row_seq AS position_row_seq, i.instance_id IS NOT NULL AS fits, i.*
    FROM sized s
    LEFT JOIN LATERAL (
      SELECT ${INSTANCE_COLUMNS}${request.includeInput ? ', input' : ''} FROM ${store.tables.instances} i
      WHERE i.hub = ${hubParam} AND i.instance_id = s.instance_id
        AND s.n <= ${params.add(request.pageSize)} AND (s.n = 1 OR s.running_bytes <= ${params.add(request.maxPayloadBytes ?? MAX_PAGE_PAYLOAD_BYTES)})
    ) i ON true
    ORDER BY s.n`;
  const rows = (await store.pool.query<ListedRow>(sql, params.values)).rows;

  const fitting = rows.filter((row) => row.fits);
  const last = fitting[fitting.length - 1];
  const page: InstancePage = { instances: fitting.map(toInstanceRecord) };
  if (rows.length > fitting.length && last !== undefined) {
    page.continuationToken = encodePageToken(
      { createdAt: toNumber(last.position_created_at), rowSeq: toNumber(last.position_row_seq) },
      request.orderBy ?? 'oldest',
    );
  }
  return { page, candidates: rows.length };
}

/** Statuses with no instance are left out. */
export async function countInstances(store: PostgresStore, hub: string, query: InstanceQuery): Promise<Partial<Record<RuntimeStatus, number>>> {
  const params = new SqlParams();
  const sql = `SELECT status, count(*) AS count FROM ${store.tables.instances}
    WHERE hub = ${params.add(hub)}${statusCondition(query.statuses, params)}${instanceConditions(query, params, { table: store.tables.instanceTags, hub })}
    GROUP BY status`;
  const rows = (await store.pool.query<{ status: RuntimeStatus; count: BigintText }>(sql, params.values)).rows;
  const counts: Partial<Record<RuntimeStatus, number>> = {};
  for (const row of rows) counts[row.status] = toNumber(row.count);
  return counts;
}
