/**
 * The byte bound of an instance listing's page: besides the count asked for, a page holds no more payload
 * (inputs when asked for, outputs, custom statuses, in stored UTF-8 bytes) than this, so that a page of
 * large inputs cannot exhaust the memory of the process that reads it. A page always
 * holds at least one instance; its continuation token carries on after the last one it holds.
 */
export const MAX_PAGE_PAYLOAD_BYTES = 8 * 1024 * 1024;

/** How many of the rows, whose payload sizes are given in listing order, go on the page (at least one). */
export function rowsWithinBudget(sizes: readonly number[], maxBytes: number): number {
  let total = 0;
  for (let index = 0; index < sizes.length; index++) {
    total += sizes[index]!;
    if (total > maxBytes && index > 0) return index;
  }
  return sizes.length;
}
