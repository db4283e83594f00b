/**
 * Counts this process's PostgreSQL round trips by wrapping pg.Client.prototype.query: one call is one round
 * trip (node-postgres does not pipeline). Install before the first query; counts every client of the process.
 */
import pg from 'pg';

let roundTrips = 0;
let installed = false;

/** Starts counting (once per process); returns the count so far. */
export function countPgRoundTrips(): () => number {
  if (!installed) {
    installed = true;
    const query = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')!.value as (...args: unknown[]) => unknown;
    pg.Client.prototype.query = function countedQuery(this: pg.Client, ...rest: unknown[]) {
      roundTrips++;
      return query.apply(this, rest);
    } as typeof pg.Client.prototype.query;
  }
  return () => roundTrips;
}
