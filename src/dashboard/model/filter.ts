/**
 * The instance list's filter and where it lives: the page's URL (so a view can be bookmarked and shared)
 * and the API's query string. Relative ranges ("last hour") stay relative in the URL and are resolved
 * against the clock when a request is made.
 */
import { FINISHED_STATUSES, RUNTIME_STATUSES, isRuntimeStatus, type RuntimeStatus } from './statuses.js';

export type TimeRange = 'any' | '1h' | '24h' | '7d' | 'custom';

export const TIME_RANGES: readonly { value: TimeRange; label: string; ms?: number }[] = [
  { value: 'any', label: 'Any time' },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'custom', label: 'Custom range' },
];

export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** The list's order by creation time; newest first unless the URL says `order=oldest`. */
export type ListOrder = 'newest' | 'oldest';
export const LIST_ORDERS: readonly { value: ListOrder; label: string }[] = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
];
const DEFAULT_PAGE_SIZE = 50;

export interface ListFilter {
  statuses: RuntimeStatus[];
  range: TimeRange;
  /** ISO 8601, for the custom range. */
  from?: string;
  to?: string;
  name: string;
  idPrefix: string;
  /** Tags as typed: `key:value` pairs separated by spaces; every one must match. */
  tags: string;
  pageSize: number;
  /** Only the list's order: the counts, the chart and the batch dialogs ignore it. */
  order: ListOrder;
}

export const EMPTY_FILTER: ListFilter = { statuses: [], range: 'any', name: '', idPrefix: '', tags: '', pageSize: DEFAULT_PAGE_SIZE, order: 'newest' };

/** Reads the filter from the page's query string; what it cannot read it leaves at the default. */
export function filterFromSearch(search: URLSearchParams): ListFilter {
  const statuses = (search.get('status') ?? '').split(',').filter(isRuntimeStatus);
  const range = TIME_RANGES.find((option) => option.value === search.get('range'))?.value ?? 'any';
  const pageSize = Number(search.get('size'));
  const filter: ListFilter = {
    statuses: RUNTIME_STATUSES.filter((status) => statuses.includes(status)),
    range,
    name: search.get('name') ?? '',
    idPrefix: search.get('prefix') ?? '',
    tags: search.get('tags') ?? '',
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
    order: search.get('order') === 'oldest' ? 'oldest' : 'newest',
  };
  if (range === 'custom') {
    const from = validTime(search.get('from'));
    const to = validTime(search.get('to'));
    if (from) filter.from = from;
    if (to) filter.to = to;
  }
  return filter;
}

/** The page's query string for a filter: only what differs from the default, so URLs stay short. */
export function searchFromFilter(filter: ListFilter, base = new URLSearchParams()): URLSearchParams {
  const search = new URLSearchParams(base);
  for (const key of ['status', 'range', 'from', 'to', 'name', 'prefix', 'tags', 'size', 'order']) search.delete(key);
  if (filter.statuses.length > 0) search.set('status', filter.statuses.join(','));
  if (filter.range !== 'any') search.set('range', filter.range);
  if (filter.range === 'custom') {
    if (filter.from) search.set('from', filter.from);
    if (filter.to) search.set('to', filter.to);
  }
  if (filter.name) search.set('name', filter.name);
  if (filter.idPrefix) search.set('prefix', filter.idPrefix);
  if (filter.tags) search.set('tags', filter.tags);
  if (filter.pageSize !== DEFAULT_PAGE_SIZE) search.set('size', String(filter.pageSize));
  if (filter.order !== 'newest') search.set('order', filter.order);
  return search;
}

export interface CreatedWindow {
  from?: number;
  to?: number;
}

/** The creation-time window the filter means at `now` (epoch ms); open ends are undefined. */
export function createdWindow(filter: ListFilter, now: number): CreatedWindow {
  const relative = TIME_RANGES.find((option) => option.value === filter.range)?.ms;
  if (relative !== undefined) return { from: now - relative };
  if (filter.range !== 'custom') return {};
  const window: CreatedWindow = {};
  if (filter.from) window.from = Date.parse(filter.from);
  if (filter.to) window.to = Date.parse(filter.to);
  return window;
}

/**
 * The API's query string for the filter (`GET …/instances`, `…/counts`, `…/histogram`), with the window
 * fixed at `now`. `statuses` overrides the filter's (the counts ask for every status).
 */
export function apiQuery(filter: ListFilter, now: number, statuses: readonly RuntimeStatus[] = filter.statuses): URLSearchParams {
  const query = new URLSearchParams();
  if (statuses.length > 0) query.set('runtimeStatus', statuses.join(','));
  const window = createdWindow(filter, now);
  if (window.from !== undefined) query.set('createdTimeFrom', new Date(window.from).toISOString());
  if (window.to !== undefined) query.set('createdTimeTo', new Date(window.to).toISOString());
  if (filter.name) query.set('name', filter.name);
  if (filter.idPrefix) query.set('instanceIdPrefix', filter.idPrefix);
  for (const tag of tagsOf(filter)) query.append('tag', tag);
  return query;
}

/**
 * What purging by the filter deletes: its finished statuses (all three when it names none) in a window
 * fixed at `now`, so the count shown first and the purge that follows cover the same instances. Empty
 * when the filter names only unfinished statuses.
 */
export function purgeStatuses(filter: ListFilter): RuntimeStatus[] {
  return filter.statuses.length === 0 ? [...FINISHED_STATUSES] : filter.statuses.filter((status) => FINISHED_STATUSES.includes(status));
}

export function purgeQuery(filter: ListFilter, now: number): URLSearchParams {
  const query = apiQuery(filter, now, purgeStatuses(filter));
  // The purge route requires a lower bound, so that a bare DELETE cannot empty a hub: "any time" is from the epoch.
  if (!query.has('createdTimeFrom')) query.set('createdTimeFrom', new Date(0).toISOString());
  if (!query.has('createdTimeTo')) query.set('createdTimeTo', new Date(now).toISOString());
  return query;
}

export function isFiltered(filter: ListFilter): boolean {
  return filter.statuses.length > 0 || filter.range !== 'any' || filter.name !== '' || filter.idPrefix !== '' || filter.tags !== '';
}

/** The `key:value` pairs of the tag filter (the server checks them, and a bad one is shown as its error). */
export function tagsOf(filter: ListFilter): string[] {
  return filter.tags.split(/\s+/).filter((tag) => tag !== '');
}

function validTime(value: string | null): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The list's filter as a batch job's JSON filter, with the window fixed at `now`; throws for a tag pair without ':'. */
export function batchFilter(filter: ListFilter, now: number): { runtimeStatus?: string[]; createdTimeFrom?: string; createdTimeTo?: string; instanceIdPrefix?: string; name?: string; tags?: Record<string, string> } {
  const query = apiQuery(filter, now);
  const result: ReturnType<typeof batchFilter> = {};
  if (filter.statuses.length > 0) result.runtimeStatus = [...filter.statuses];
  const from = query.get('createdTimeFrom');
  const to = query.get('createdTimeTo');
  if (from) result.createdTimeFrom = from;
  if (to) result.createdTimeTo = to;
  if (filter.idPrefix) result.instanceIdPrefix = filter.idPrefix;
  if (filter.name) result.name = filter.name;
  const tags = tagsOf(filter);
  if (tags.length > 0) {
    result.tags = Object.fromEntries(
      tags.map((tag) => {
        const at = tag.indexOf(':');
        // The list's own query refuses such a pair on the server; here it would otherwise be silently re-read.
        if (at < 0) throw new Error(`the tag filter '${tag}' must be key:value`);
        return [tag.slice(0, at), tag.slice(at + 1)];
      }),
    );
  }
  return result;
}
