/**
 * What both stores' listings share about an id prefix. No index gives both a prefix's range and creation
 * order: at 1,000,000 instances, a page of `seed-5…` (111,111 matches) took SQLite 40 ms of CPU sorted from
 * the prefix's range, 0.3 ms walked oldest first in creation order (the matches come early) and 140 ms
 * walked newest first (the newest match is 400,000 instances back); PostgreSQL's planner chose that
 * backward walk (271 ms). So a listing by a prefix alone walks the first PREFIX_WALK instances in listing
 * order, and only when they do not hold a page reads the prefix's range and sorts it: the walk costs at
 * most PREFIX_WALK row reads when it does not pay (docs/benchmarks.md "Instance management").
 */
import type { InstanceQuery } from './backend.js';

export const PREFIX_WALK = 2000;

/** An id prefix with no status, name or tag, whose own indexes would bound the walk better. */
export function isPrefixOnly(query: InstanceQuery): boolean {
  return Boolean(query.instanceIdPrefix)
    && (query.statuses === undefined || query.statuses.length === 0)
    && query.name === undefined
    && (query.tags === undefined || Object.keys(query.tags).length === 0);
}
