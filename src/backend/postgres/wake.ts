/** When an idle worker should look again: the earliest future message visibility (durable timers,
 *  scheduled starts) or lease expiry (a crashed worker's instance or task becoming claimable again). */
import { named, type PostgresStore } from './connection.js';
import { toNumber, type BigintText } from './rows.js';
import { NOW_MS } from './sql.js';

export async function nextWakeAt(store: PostgresStore, hub: string): Promise<number | undefined> {
  const { instances, messages, activityTasks } = store.tables;
  // Each minimum is the first entry of an index range: messages_by_visible_at, instances_leased,
  // activity_tasks_leased.
  const result = await store.pool.query<{ wake_at: BigintText | null }>(
    named('next_wake_at', `WITH now AS (SELECT ${NOW_MS} AS t)
    SELECT LEAST(
      (SELECT min(visible_at) FROM ${messages}, now WHERE hub = $1 AND visible_at > now.t),
      (SELECT min(lock_expires_at) FROM ${instances}, now WHERE hub = $1 AND lock_expires_at > now.t),
      (SELECT min(lock_expires_at) FROM ${activityTasks}, now WHERE hub = $1 AND lock_expires_at > now.t)
    ) AS wake_at`,
    [hub]),
  );
  const wakeAt = result.rows[0]?.wake_at ?? null;
  return wakeAt === null ? undefined : toNumber(wakeAt);
}
