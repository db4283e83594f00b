/** When a polling worker should look again: the next message to become visible or lease to expire. */
import type Database from 'better-sqlite3';

export class WakeTimes {
  private readonly earliest: Database.Statement<[{ hub: string; now: number }], number | null>;

  constructor(db: Database.Database) {
    // Each inner min is one seek: messages_by_visibility and the two partial lock-expiry indexes. The
    // aggregate min skips the NULLs of empty tables (the scalar min(a, b, c) would return NULL).
    this.earliest = db.prepare<[{ hub: string; now: number }], number | null>(`SELECT min(t) FROM (
        SELECT min(visible_at) AS t FROM messages WHERE hub = @hub AND visible_at > @now
        UNION ALL SELECT min(lock_expires_at) FROM instances WHERE hub = @hub AND lock_expires_at > @now
        UNION ALL SELECT min(lock_expires_at) FROM activity_tasks WHERE hub = @hub AND lock_expires_at > @now)`).pluck();
  }

  next(hub: string, now: number): number | undefined {
    return this.earliest.get({ hub, now }) ?? undefined;
  }
}
