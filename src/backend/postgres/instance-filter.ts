/** Turns an instance query into SQL conditions on the instances table's indexed columns. */
import type { RuntimeStatus } from '../../core/history.js';
import type { InstanceQuery } from '../backend.js';

/** Numbered parameters ($1, $2, …) collected while a statement is built. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Where a tag filter looks: the store's instance_tags table, in the queried hub. */
export interface TagScope {
  table: string;
  hub: string;
}

/**
 * Conditions joined by AND, to follow `WHERE hub = …`, for every filter of `query` but the statuses, which
 * callers place themselves (one status per index range, or all of them). Time bounds are inclusive. The
 * id prefix is matched literally with starts_with(), which the planner turns into a range of the primary
 * key because instance_id is COLLATE "C".
 */
export function instanceConditions(query: InstanceQuery, params: SqlParams, tagScope: TagScope): string {
  const conditions: string[] = [];
  if (query.createdFrom !== undefined) conditions.push(`created_at >= ${params.add(query.createdFrom)}`);
  if (query.createdTo !== undefined) conditions.push(`created_at <= ${params.add(query.createdTo)}`);
  if (query.lastUpdatedFrom !== undefined) conditions.push(`last_updated_at >= ${params.add(query.lastUpdatedFrom)}`);
  if (query.lastUpdatedTo !== undefined) conditions.push(`last_updated_at <= ${params.add(query.lastUpdatedTo)}`);
  if (query.name !== undefined) conditions.push(`name = ${params.add(query.name)}`);
  if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== '') {
    conditions.push(`starts_with(instance_id, ${params.add(query.instanceIdPrefix)})`);
  }
  // One range of instance_tags_by_order per tag (a list with tags drives from the first instead: listing.ts).
  for (const [key, value] of Object.entries(query.tags ?? {})) {
    conditions.push(`instance_id IN (SELECT t.instance_id FROM ${tagScope.table} t
      WHERE t.hub = ${params.add(tagScope.hub)} AND t.key = ${params.add(key)} AND t.value = ${params.add(value)})`);
  }
  return conditions.map((condition) => ` AND ${condition}`).join('');
}

/** `status = ANY(…)` for the query's statuses, or nothing when it does not filter on status. */
export function statusCondition(statuses: readonly RuntimeStatus[] | undefined, params: SqlParams): string {
  return statuses === undefined ? '' : ` AND status = ANY(${params.add(statuses)}::text[])`;
}
