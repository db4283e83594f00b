/**
 * The hubs of the store. SELECT DISTINCT would walk every instance; this hops from hub to hub on the
 * primary key (hub, instance_id), one index descent per hub (a loose index scan).
 */
import type { PostgresStore } from './connection.js';

export async function listHubs(store: PostgresStore): Promise<string[]> {
  const instances = store.tables.instances;
  const result = await store.pool.query<{ hub: string }>(`WITH RECURSIVE hubs(hub) AS (
      SELECT min(hub) FROM ${instances}
      UNION ALL
      SELECT (SELECT min(hub) FROM ${instances} WHERE hub > hubs.hub) FROM hubs WHERE hubs.hub IS NOT NULL
    )
    SELECT hub FROM hubs WHERE hub IS NOT NULL`);
  // The index is in the database's collation, whose order may differ from SQLite's: both answer in code point order.
  return result.rows.map((row) => row.hub).sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
