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
