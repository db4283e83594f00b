/** Claiming orchestration work: instances with a visible message, locked with a lease. */
import type Database from 'better-sqlite3';
import type { CachedHistory, ClaimOptions, OrchestrationWorkItem } from '../backend.js';
import { claimableSql } from '../step-commit.js';
import { toInstanceRecord, type InstanceRow } from './rows.js';
import type { SqliteStore } from './store.js';

interface ClaimParams { hub: string; now: number; max: number; workerId: string; expiresAt: number }
type ClaimedRow = InstanceRow & { lock_token: string; failed_attempts: number };

export class OrchestrationClaims {
  private readonly lockReady: Database.Statement<[ClaimParams], ClaimedRow>;
  private readonly lockOne: Database.Statement<[Omit<ClaimParams, 'max'> & { instanceId: string }], ClaimedRow>;

  constructor(private readonly store: SqliteStore) {
    // Driven by the visible messages (oldest first), not by the instances, so the cost follows the work
    // waiting rather than the size of the hub; claimable as ../step-commit.ts defines.
    // A lease still set when the instance is claimed ran out: the attempt it gave ended without a commit.
    this.lockReady = store.db.prepare(`UPDATE instances
      SET lock_token = lower(hex(randomblob(16))), locked_by = @workerId, lock_expires_at = @expiresAt,
        failed_attempts = failed_attempts + (lock_token IS NOT NULL)
      WHERE row_seq IN (
        SELECT DISTINCT i.row_seq
        FROM messages m JOIN instances i ON i.hub = m.hub AND i.instance_id = m.instance_id
        WHERE m.hub = @hub AND m.visible_at <= @now
          AND (i.lock_expires_at IS NULL OR i.lock_expires_at <= @now)
          AND ${claimableSql('i.status', 'm.event_type')}
        LIMIT @max)
      RETURNING *`);
    this.lockOne = store.db.prepare(`UPDATE instances
      SET lock_token = lower(hex(randomblob(16))), locked_by = @workerId, lock_expires_at = @expiresAt,
        failed_attempts = failed_attempts + (lock_token IS NOT NULL)
      WHERE hub = @hub AND instance_id = @instanceId AND (lock_expires_at IS NULL OR lock_expires_at <= @now)
        AND NOT EXISTS (SELECT 1 FROM activity_tasks t WHERE t.hub = @hub AND t.instance_id = @instanceId)
        AND EXISTS (SELECT 1 FROM messages m
                    WHERE m.hub = @hub AND m.instance_id = @instanceId AND m.visible_at <= @now
                      AND ${claimableSql('instances.status', 'm.event_type')})
      RETURNING *`);
  }

  /** Run inside a write transaction. */
  claim(hub: string, options: ClaimOptions, now: number): OrchestrationWorkItem[] {
    const rows = this.lockReady.all({ hub, now, max: options.max, workerId: options.workerId, expiresAt: now + options.leaseMs });
    return rows.map((row) => this.workItem(hub, row, now, options.cachedHistories));
  }

  /**
   * The same for one instance, if it is claimable and has no activity task left (a fan-out is claimed by
   * the result that completes it, not once per result). Run inside a write transaction.
   */
  claimOne(hub: string, instanceId: string, options: Omit<ClaimOptions, 'max'>, now: number): OrchestrationWorkItem | undefined {
    const row = this.lockOne.get({ hub, instanceId, now, workerId: options.workerId, expiresAt: now + options.leaseMs });
    return row && this.workItem(hub, row, now, options.cachedHistories);
  }

  /** The history is read only when the worker does not hold it current (backend.ts, ClaimOptions.cachedHistories). */
  private workItem(hub: string, row: ClaimedRow, now: number, cached: ReadonlyMap<string, CachedHistory> | undefined): OrchestrationWorkItem {
    const historyLength = this.store.history.length(hub, row.instance_id);
    const held = cached?.get(row.instance_id);
    const item: OrchestrationWorkItem = {
      instance: toInstanceRecord(row),
      historyLength,
      messages: this.store.messages.visible(hub, row.instance_id, now),
      lockToken: row.lock_token,
      claimedAt: now,
      failedAttempts: row.failed_attempts,
    };
    if (held?.executionId !== row.execution_id || held.length !== historyLength) item.history = this.store.history.events(hub, row.instance_id);
    return item;
  }
}
