/** Turns an instance query into SQL conditions over the instances table's indexed columns. */
import type { RuntimeStatus } from '../../core/history.js';
import type { InstanceQuery } from '../backend.js';

export interface InstanceFilter {
  /** Conditions joined by AND, to follow `WHERE hub = @hub`; its text depends only on which filters are
   *  set, so it can key a statement cache. */
  sql: string;
  params: Record<string, string | number>;
}

/** The distinct statuses a query asks for; undefined (any status) when it names none. */
export function statusesOf(query: InstanceQuery): RuntimeStatus[] | undefined {
  return query.statuses === undefined || query.statuses.length === 0 ? undefined : [...new Set(query.statuses)];
}

export function hasTags(query: InstanceQuery): boolean {
  return query.tags !== undefined && Object.keys(query.tags).length > 0;
}

/**
 * `status` is one status: several are queried one at a time, each answered by instances_by_status.
 * `table` names the instances table's columns (`i.`) in a statement that joins another table.
 */
export function instanceFilter(query: InstanceQuery, status?: RuntimeStatus, table = ''): InstanceFilter {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  const add = (condition: string, name: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    conditions.push(condition);
    params[name] = value;
  };
  add(`${table}status = @status`, 'status', status);
  add(`${table}created_at >= @createdFrom`, 'createdFrom', query.createdFrom);
  add(`${table}created_at <= @createdTo`, 'createdTo', query.createdTo);
  add(`${table}last_updated_at >= @lastUpdatedFrom`, 'lastUpdatedFrom', query.lastUpdatedFrom);
  add(`${table}last_updated_at <= @lastUpdatedTo`, 'lastUpdatedTo', query.lastUpdatedTo);
  add(`${table}name = @name`, 'name', query.name);
  if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== '') {
    // A range on instances_by_id rather than LIKE: the user's text is matched literally.
    add(`${table}instance_id >= @prefix`, 'prefix', query.instanceIdPrefix);
    add(`${table}instance_id < @prefixEnd`, 'prefixEnd', prefixUpperBound(query.instanceIdPrefix));
  }
  // One lookup of instance_tags_by_order per tag (a list with tags drives from the first instead: listing.ts); the parameters are numbered, so the text depends only on how many.
  Object.entries(query.tags ?? {}).forEach(([key, value], index) => {
    conditions.push(`${table}instance_id IN (SELECT instance_id FROM instance_tags WHERE hub = @hub AND key = @tagKey${index} AND value = @tagValue${index})`);
    params[`tagKey${index}`] = key;
    params[`tagValue${index}`] = value;
  });
  return { sql: conditions.map((condition) => ` AND ${condition}`).join(''), params };
}

/** `status IN (…)` for several statuses in one statement (nothing for none), for counts that group by status. */
export function statusesIn(statuses: readonly RuntimeStatus[], table = ''): InstanceFilter {
  const params = Object.fromEntries(statuses.map((status, index) => [`status${index}`, status]));
  const sql = statuses.length ? ` AND ${table}status IN (${statuses.map((_, index) => `@status${index}`).join(', ')})` : '';
  return { sql, params };
}

/**
 * The smallest string greater than every string that starts with `prefix`, in SQLite's BINARY order
 * (UTF-8 bytes, which is code point order): the prefix with its last code point incremented. Undefined
 * when every code point is the largest there is (then there is no upper bound).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0) ?? 0);
  while (codePoints.length > 0) {
    const last = (codePoints.pop() ?? 0) + 1;
    if (last <= 0x10ffff) {
      // Surrogate code points cannot be encoded; the next encodable one is U+E000.
      codePoints.push(last >= 0xd800 && last <= 0xdfff ? 0xe000 : last);
      return String.fromCodePoint(...codePoints);
    }
  }
  return undefined;
}
