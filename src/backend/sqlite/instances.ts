/** Statements on the instances table. */
import type Database from 'better-sqlite3';
import { isFinished, type JsonText, type RuntimeStatus } from '../../core/history.js';
import type { Tags } from '../../core/tags.js';
import type { CreateInstanceRequest } from '../backend.js';
import type { InstanceRow } from './rows.js';

interface Key { hub: string; instanceId: string }

/** The instance row after an orchestration step. */
export interface StepUpdate {
  status: RuntimeStatus;
  executionId?: string;
  /** Replaces the input only when set (a new execution). */
  input?: { value: JsonText | undefined };
  output?: JsonText;
  customStatus?: JsonText;
  /** Keeps the last-updated and completed times (OrchestrationCommit's `instance.unchanged`). */
  unchanged?: boolean;
}

export interface LeaseRow {
  lock_token: string | null;
  lock_expires_at: number | null;
  execution_id: string;
  failed_attempts: number;
}

export class InstanceStatements {
  private readonly selectRow: Database.Statement<[Key], InstanceRow>;
  private readonly selectStatus: Database.Statement<[Key], RuntimeStatus>;
  private readonly selectLease: Database.Statement<[Key], LeaseRow>;
  private readonly insertRow: Database.Statement<[Record<string, unknown>]>;
  private readonly deleteRow: Database.Statement<[Key]>;
  private readonly updateAfterStep: Database.Statement<[Record<string, unknown>]>;
  private readonly releaseLease: Database.Statement<[Key & { lockToken: string; retryAt: number; failed: 0 | 1 }]>;
  private readonly insertTag: Database.Statement<[Key & { key: string; value: string }]>;
  private readonly deleteTagRows: Database.Statement<[Key]>;
  private readonly deleteTag: Database.Statement<[Key & { key: string }]>;
  private readonly selectTags: Database.Statement<[Key], string | null>;
  private readonly updateTags: Database.Statement<[Key & { tags: string | null }]>;

  constructor(db: Database.Database) {
    this.selectRow = db.prepare('SELECT * FROM instances WHERE hub = @hub AND instance_id = @instanceId');
    this.selectStatus = db.prepare<[Key], RuntimeStatus>('SELECT status FROM instances WHERE hub = @hub AND instance_id = @instanceId').pluck();
    this.selectLease = db.prepare('SELECT lock_token, lock_expires_at, execution_id, failed_attempts FROM instances WHERE hub = @hub AND instance_id = @instanceId');
    this.insertRow = db.prepare(`INSERT INTO instances
      (hub, instance_id, execution_id, name, status, input, created_at, last_updated_at, scheduled_start_at, parent_instance_id, tags)
      VALUES (@hub, @instanceId, @executionId, @name, 'Pending', @input, @now, @now, @scheduledStartAt, @parentInstanceId, @tags)`);
    // A tag row carries its instance's listing position (migrations/0004_tags_in_listing_order.ts), read from
    // the row written before it.
    this.insertTag = db.prepare(`INSERT INTO instance_tags (hub, instance_id, key, value, created_at, row_seq)
      SELECT hub, instance_id, @key, @value, created_at, row_seq FROM instances WHERE hub = @hub AND instance_id = @instanceId`);
    this.deleteTagRows = db.prepare('DELETE FROM instance_tags WHERE hub = @hub AND instance_id = @instanceId');
    this.deleteTag = db.prepare('DELETE FROM instance_tags WHERE hub = @hub AND instance_id = @instanceId AND key = @key');
    this.selectTags = db.prepare<[Key], string | null>('SELECT tags FROM instances WHERE hub = @hub AND instance_id = @instanceId').pluck();
    this.updateTags = db.prepare('UPDATE instances SET tags = @tags WHERE hub = @hub AND instance_id = @instanceId');
    this.deleteRow = db.prepare('DELETE FROM instances WHERE hub = @hub AND instance_id = @instanceId');
    this.updateAfterStep = db.prepare(`UPDATE instances SET
        status = @status,
        execution_id = coalesce(@executionId, execution_id),
        input = CASE WHEN @setInput THEN @input ELSE input END,
        output = @output,
        custom_status = @customStatus,
        last_updated_at = CASE WHEN @unchanged THEN last_updated_at ELSE @now END,
        completed_at = CASE WHEN @unchanged THEN completed_at ELSE @completedAt END,
        lock_token = NULL, locked_by = NULL, lock_expires_at = NULL, failed_attempts = 0
      WHERE hub = @hub AND instance_id = @instanceId`);
    this.releaseLease = db.prepare(`UPDATE instances SET lock_token = NULL, locked_by = NULL, lock_expires_at = @retryAt,
        failed_attempts = failed_attempts + @failed
      WHERE hub = @hub AND instance_id = @instanceId AND lock_token = @lockToken`);
  }

  find(hub: string, instanceId: string): InstanceRow | undefined {
    return this.selectRow.get({ hub, instanceId });
  }

  status(hub: string, instanceId: string): RuntimeStatus | undefined {
    return this.selectStatus.get({ hub, instanceId });
  }

  lease(hub: string, instanceId: string): LeaseRow | undefined {
    return this.selectLease.get({ hub, instanceId });
  }

  insert(hub: string, request: CreateInstanceRequest, now: number): void {
    this.insertRow.run({
      hub,
      instanceId: request.instanceId,
      executionId: request.executionId,
      name: request.name,
      input: request.input ?? null,
      now,
      scheduledStartAt: request.scheduledStartAt ?? null,
      parentInstanceId: request.parent?.instanceId ?? null,
      tags: tagsColumn(request.tags),
    });
    for (const [key, value] of Object.entries(request.tags ?? {})) this.insertTag.run({ hub, instanceId: request.instanceId, key, value });
  }

  /** Deletes the row and its tags. */
  delete(hub: string, instanceId: string): void {
    this.deleteTagRows.run({ hub, instanceId });
    this.deleteRow.run({ hub, instanceId });
  }

  /** A step's setTags: the tags column and the tag index rows, changed alike. */
  changeTags(hub: string, instanceId: string, set: Tags, remove: readonly string[]): void {
    const column = this.selectTags.get({ hub, instanceId });
    const tags: Tags = column ? (JSON.parse(column) as Tags) : {};
    for (const key of remove) {
      delete tags[key];
      this.deleteTag.run({ hub, instanceId, key });
    }
    for (const [key, value] of Object.entries(set)) {
      tags[key] = value;
      this.deleteTag.run({ hub, instanceId, key });
      this.insertTag.run({ hub, instanceId, key, value });
    }
    const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.updateTags.run({ hub, instanceId, tags: tagsColumn(sorted) });
  }

  /** Writes the step's outcome and releases the lease. */
  applyStep(hub: string, instanceId: string, update: StepUpdate, now: number): void {
    this.updateAfterStep.run({
      hub,
      instanceId,
      status: update.status,
      executionId: update.executionId ?? null,
      setInput: update.input === undefined ? 0 : 1,
      input: update.input?.value ?? null,
      output: update.output ?? null,
      customStatus: update.customStatus ?? null,
      now,
      completedAt: isFinished(update.status) ? now : null,
      unchanged: update.unchanged ? 1 : 0,
    });
  }

  /** Clears the lease if `lockToken` still holds it; the instance is claimable again at `retryAt`. */
  abandon(hub: string, instanceId: string, lockToken: string, retryAt: number, failed: boolean): void {
    this.releaseLease.run({ hub, instanceId, lockToken, retryAt, failed: failed ? 1 : 0 });
  }
}

/** An instance without tags stores NULL, so that only tagged instances pay for the column. */
function tagsColumn(tags: Tags | undefined): string | null {
  return tags === undefined || Object.keys(tags).length === 0 ? null : JSON.stringify(tags);
}

/** Many instances by id in one query (Backend.getInstances); the ids go in as one JSON array. */
export function findInstances(db: Database.Database, hub: string, instanceIds: readonly string[], includeInput: boolean): InstanceRow[] {
  if (instanceIds.length === 0) return [];
  const rows = db
    .prepare<[string, string], InstanceRow>('SELECT * FROM instances WHERE hub = ? AND instance_id IN (SELECT value FROM json_each(?))')
    .all(hub, JSON.stringify(instanceIds));
  if (!includeInput) for (const row of rows) delete row.input;
  return rows;
}
