/**
 * The histogram's intervals: round widths (a minute, an hour, a day…) so that bars start at times a person
 * reads at a glance, aligned on multiples of the width since the epoch (UTC).
 */
import { InvalidArgumentError } from '../errors.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ROUND_WIDTHS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY,
];

/** The most intervals one answer holds: the chart has at most this many bars. */
export const MAX_INTERVALS = 1000;
export const DEFAULT_MAX_INTERVALS = 60;

export interface Intervals {
  /** Start of the first interval: `from`, rounded down to a multiple of the width. */
  origin: number;
  widthMs: number;
  count: number;
}

/** The intervals covering from…to (inclusive): of the given width, or the narrowest round one that fits in `maxIntervals`. */
export function intervalsFor(from: number, to: number, options: { widthMs?: number; maxIntervals: number }): Intervals {
  if (from > to) throw new InvalidArgumentError('createdTimeFrom is after createdTimeTo: the histogram has no time range');
  const fits = (widthMs: number) => countOf(from, to, widthMs) <= options.maxIntervals;
  const widthMs = options.widthMs ?? ROUND_WIDTHS.find(fits) ?? Math.ceil((to - from + 1) / options.maxIntervals);
  const count = countOf(from, to, widthMs);
  if (count > MAX_INTERVALS) {
    throw new InvalidArgumentError(`the time range holds ${count} intervals of ${widthMs / SECOND} s, more than ${MAX_INTERVALS}: choose a longer interval or a shorter range`);
  }
  return { origin: alignedStart(from, widthMs), widthMs, count };
}

function alignedStart(time: number, widthMs: number): number {
  return Math.floor(time / widthMs) * widthMs;
}

function countOf(from: number, to: number, widthMs: number): number {
  return Math.floor((to - alignedStart(from, widthMs)) / widthMs) + 1;
}
