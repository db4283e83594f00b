/** Listing instances with keyset paging over (created_at, row_seq), and counting them per status. */
import type { RuntimeStatus } from '../../core/history.js';
import { InvalidArgumentError } from '../../errors.js';
import type { InstancePage, InstanceQuery, ListInstancesRequest } from '../backend.js';
import { decodePageToken, encodePageToken } from '../page-token.js';
import type { PostgresStore } from './connection.js';
import { instanceConditions, SqlParams, statusCondition } from './instance-filter.js';
import { INSTANCE_COLUMNS, toInstanceRecord, toNumber, type BigintText, type InstanceRow } from './rows.js';

type ListedRow = InstanceRow & { row_seq: BigintText };

export async function listInstances(store: PostgresStore, hub: string, request: ListInstancesRequest): Promise<InstancePage> {
  if (!Number.isSafeInteger(request.pageSize) || request.pageSize < 1) {
    throw new InvalidArgumentError(`the page size must be a positive integer, not ${request.pageSize}`);
  }
  const after = request.continuationToken === undefined ? undefined : decodePageToken(request.continuationToken);
  const params = new SqlParams();
  const hubParam = params.add(hub);
  const filters = instanceConditions(request, params);
  const position = after === undefined ? '' : ` AND (created_at, row_seq) > (${params.add(after.createdAt)}, ${params.add(after.rowSeq)})`;
  // One more row than the page tells whether another page follows.
  const limit = params.add(request.pageSize + 1);
  const columns = `${INSTANCE_COLUMNS}, row_seq${request.includeInput ? ', input' : ''}`;
  const select = (status: string) =>
    `SELECT ${columns} FROM ${store.tables.instances}
    WHERE hub = ${hubParam}${status}${filters}${position}
    ORDER BY created_at, row_seq LIMIT ${limit}`;
  // Several statuses: one ordered range of instances_by_status each, merged (a Merge Append), rather than
  // `status = ANY(…)`, which would sort every matching row to return one page.
  const statuses = request.statuses;
  const sql =
    statuses === undefined || statuses.length <= 1
      ? select(statusCondition(statuses, params))
      : `SELECT * FROM (${statuses.map((status) => `(${select(` AND status = ${params.add(status)}`)})`).join(' UNION ALL ')}) runs
        ORDER BY created_at, row_seq LIMIT ${limit}`;
  const rows = (await store.pool.query<ListedRow>(sql, params.values)).rows;

  const page = rows.slice(0, request.pageSize);
  const last = page[page.length - 1];
  const result: InstancePage = { instances: page.map(toInstanceRecord) };
  if (rows.length > request.pageSize && last !== undefined) {
    result.continuationToken = encodePageToken({ createdAt: toNumber(last.created_at), rowSeq: toNumber(last.row_seq) });
  }
  return result;
}

/** Statuses with no instance are left out. */
export async function countInstances(store: PostgresStore, hub: string, query: InstanceQuery): Promise<Partial<Record<RuntimeStatus, number>>> {
  const params = new SqlParams();
  const sql = `SELECT status, count(*) AS count FROM ${store.tables.instances}
    WHERE hub = ${params.add(hub)}${statusCondition(query.statuses, params)}${instanceConditions(query, params)}
    GROUP BY status`;
  const rows = (await store.pool.query<{ status: RuntimeStatus; count: BigintText }>(sql, params.values)).rows;
  const counts: Partial<Record<RuntimeStatus, number>> = {};
  for (const row of rows) counts[row.status] = toNumber(row.count);
  return counts;
}
