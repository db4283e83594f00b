/** What both stores' histograms share: the request's checks and the order of the answer. */
import { RUNTIME_STATUSES } from '../core/history.js';
import { InvalidArgumentError } from '../errors.js';
import type { HistogramCount, HistogramRequest } from './backend.js';

/**
 * How many non-empty intervals of one status the histogram finds one by one (a seek and a range count each)
 * before it groups the rest of the range in one pass: the dashboard asks for at most 1,000 intervals
 * (src/http/histogram-intervals.ts), so its histograms are always counted by range.
 */
export const SEEKED_INTERVALS = 1000;

export function validateHistogramRequest(request: HistogramRequest): void {
  if (!Number.isSafeInteger(request.intervalMs) || request.intervalMs < 1) {
    throw new InvalidArgumentError(`the histogram's interval must be a whole number of milliseconds of at least 1, not ${request.intervalMs}`);
  }
  if (!Number.isSafeInteger(request.origin)) throw new InvalidArgumentError(`the histogram's origin must be a whole number of milliseconds, not ${request.origin}`);
}

/** The later of the query's own lower bound and the histogram's origin: what is counted starts there. */
export function countedFrom(request: HistogramRequest): number {
  return request.createdFrom === undefined ? request.origin : Math.max(request.createdFrom, request.origin);
}

export function compareHistogramCounts(a: HistogramCount, b: HistogramCount): number {
  return a.intervalStart - b.intervalStart || RUNTIME_STATUSES.indexOf(a.status) - RUNTIME_STATUSES.indexOf(b.status);
}

/**
 * The width of the rollup's buckets (instance_histogram, docs/adr/0032-histogram-rollup.md): a minute. The
 * dashboard's intervals of a minute and longer (src/http/histogram-intervals.ts) are whole minutes and start
 * on a multiple of their width, so they are sums of whole buckets; a finer bucket would only add rows.
 */
export const ROLLUP_BUCKET_MS = 60_000;

/** The start of the rollup bucket of an instance created at `createdAt`, as the stores' triggers compute it. */
export function rollupBucketOf(createdAt: number): number {
  return createdAt - (((createdAt % ROLLUP_BUCKET_MS) + ROLLUP_BUCKET_MS) % ROLLUP_BUCKET_MS);
}

/** A histogram split between the rollup (whole buckets) and the instances index (the rest). */
export interface RollupPlan {
  /** Counted from the rollup: instances created in [from, to) (`to` undefined: no upper bound), whole buckets. */
  rollup: { from: number; to?: number };
  /** Counted from the instances, as without a rollup: the partial buckets at the range's ends. */
  edges: HistogramRequest[];
}

/**
 * How the rollup answers this request exactly, or undefined when it cannot: a filter the rollup does not
 * hold (name, id prefix, tags, last update), intervals that are not whole buckets on bucket boundaries,
 * or a range inside one bucket.
 */
export function rollupPlan(request: HistogramRequest): RollupPlan | undefined {
  const filtered = request.name !== undefined || Boolean(request.instanceIdPrefix)
    || (request.tags !== undefined && Object.keys(request.tags).length > 0)
    || request.lastUpdatedFrom !== undefined || request.lastUpdatedTo !== undefined;
  if (filtered || request.intervalMs % ROLLUP_BUCKET_MS !== 0 || request.origin % ROLLUP_BUCKET_MS !== 0) return undefined;
  const from = countedFrom(request);
  const wholeFrom = Math.ceil(from / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  // createdTo is inclusive: the whole buckets end at the last boundary at or before createdTo + 1.
  const wholeTo = request.createdTo === undefined ? undefined : Math.floor((request.createdTo + 1) / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  if (wholeTo !== undefined && wholeTo <= wholeFrom) return undefined;
  const edges: HistogramRequest[] = [];
  if (wholeFrom > from) edges.push({ ...request, createdFrom: from, createdTo: wholeFrom - 1 });
  if (wholeTo !== undefined && wholeTo <= request.createdTo!) edges.push({ ...request, createdFrom: wholeTo, createdTo: request.createdTo });
  return { rollup: { from: wholeFrom, to: wholeTo }, edges };
}

/** The counts of several parts of one histogram as one answer: summed per interval and status, in order. */
export function mergeHistogramCounts(parts: readonly HistogramCount[][]): HistogramCount[] {
  const merged = new Map<string, HistogramCount>();
  for (const part of parts) {
    for (const count of part) {
      const key = `${count.intervalStart} ${count.status}`;
      const seen = merged.get(key);
      if (seen === undefined) merged.set(key, { ...count });
      else seen.count += count.count;
    }
  }
  return [...merged.values()].filter((count) => count.count > 0).sort(compareHistogramCounts);
}
