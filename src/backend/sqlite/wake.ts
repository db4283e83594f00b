/** When a polling worker should look again: the next message to become visible or lease to expire. */
import type Database from 'better-sqlite3';
import type { Claimed } from '../backend.js';
import { emptyClaim } from '../claimed.js';

type WakeStatement = Database.Statement<[{ hub: string; now: number }], number | null>;

export class WakeTimes {
  private readonly earliest: WakeStatement;
  private readonly orchestrationWork: WakeStatement;
  private readonly activityWork: WakeStatement;

  constructor(db: Database.Database) {
    // Each inner min is one seek: messages_by_visibility and the two partial lock-expiry indexes. The
    // aggregate min skips the NULLs of empty tables (the scalar min(a, b, c) would return NULL).
    const messagesVisible = 'SELECT min(visible_at) AS t FROM messages WHERE hub = @hub AND visible_at > @now';
    const instanceLeases = 'SELECT min(lock_expires_at) FROM instances WHERE hub = @hub AND lock_expires_at > @now';
    const taskLeases = 'SELECT min(lock_expires_at) FROM activity_tasks WHERE hub = @hub AND lock_expires_at > @now';
    this.earliest = db.prepare<[{ hub: string; now: number }], number | null>(`SELECT min(t) FROM (
        ${messagesVisible} UNION ALL ${instanceLeases} UNION ALL ${taskLeases})`).pluck();
    this.orchestrationWork = db.prepare<[{ hub: string; now: number }], number | null>(`SELECT min(t) FROM (
        ${messagesVisible} UNION ALL ${instanceLeases})`).pluck();
    this.activityWork = db.prepare<[{ hub: string; now: number }], number | null>(taskLeases).pluck();
  }

  next(hub: string, now: number): number | undefined {
    return this.earliest.get({ hub, now }) ?? undefined;
  }

  /** An empty orchestration claim at `now`: with the time until a message becomes visible or an instance's lease (or not-before time) ends. */
  emptyOrchestrationClaim<T>(hub: string, now: number): Claimed<T> {
    return emptyClaim(untilFrom(this.orchestrationWork.get({ hub, now }), now));
  }

  /** An empty activity claim at `now`: with the time until a task's lease ends. */
  emptyActivityClaim<T>(hub: string, now: number): Claimed<T> {
    return emptyClaim(untilFrom(this.activityWork.get({ hub, now }), now));
  }
}

function untilFrom(wakeAt: number | null | undefined, now: number): number | undefined {
  return wakeAt === null || wakeAt === undefined ? undefined : wakeAt - now;
}
