/** The answer of a claim that leased nothing (Claimed in backend.ts). */
import type { Claimed } from './backend.js';

/**
 * An empty claim with the time until the store's next timed work of its kind. The time is a non-enumerable
 * property, so the answer compares, copies and serializes as the empty array it is.
 */
export function emptyClaim<T>(msUntilTimedWork: number | undefined): Claimed<T> {
  const claimed: Claimed<T> = [];
  Object.defineProperty(claimed, 'msUntilTimedWork', { value: msUntilTimedWork, enumerable: false });
  return claimed;
}
