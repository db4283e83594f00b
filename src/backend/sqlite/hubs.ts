/**
 * The hubs of the store. SELECT DISTINCT would walk every instance; this hops from hub to hub on
 * instances_by_id (hub, instance_id), one index seek per hub (a loose index scan).
 */
import type Database from 'better-sqlite3';

const HUBS = `WITH RECURSIVE hubs(hub) AS (
    SELECT min(hub) FROM instances
    UNION ALL
    SELECT (SELECT min(hub) FROM instances WHERE hub > hubs.hub) FROM hubs WHERE hubs.hub IS NOT NULL
  )
  SELECT hub FROM hubs WHERE hub IS NOT NULL`;

export function listHubs(db: Database.Database): string[] {
  return (db.prepare(HUBS).pluck().all() as string[]);
}
