/** Statements on the activity_tasks table: claimed with a lease, deleted when their result is delivered. */
import type Database from 'better-sqlite3';
import type { ActivityWorkItem, ClaimOptions, NewActivityTask } from '../backend.js';
import { parseRowId } from './rows.js';

interface Key { hub: string; instanceId: string }
interface TaskKey { hub: string; id: number; lockToken: string; now: number }
interface TaskRow {
  id: number;
  instance_id: string;
  execution_id: string;
  task_id: number;
  name: string;
  input: string | null;
  attempt: number;
  lock_token: string;
}

export class ActivityStatements {
  private readonly insertTask: Database.Statement<[Key & { executionId: string; taskId: number; name: string; input: string | null }]>;
  private readonly insertLeasedTask: Database.Statement<
    [Key & { executionId: string; taskId: number; name: string; input: string | null; workerId: string; expiresAt: number }],
    { id: number; lock_token: string }
  >;
  private readonly claimTasks: Database.Statement<[{ hub: string; now: number; max: number; workerId: string; expiresAt: number }], TaskRow>;
  private readonly deleteLeased: Database.Statement<[TaskKey]>;
  private readonly extendLease: Database.Statement<[TaskKey & { expiresAt: number }]>;
  private readonly deleteUnleasedTasks: Database.Statement<[Key & { now: number }]>;
  private readonly deleteTasks: Database.Statement<[Key]>;
  private readonly selectAnyTask: Database.Statement<[Key], number>;

  constructor(db: Database.Database) {
    this.insertTask = db.prepare(`INSERT INTO activity_tasks (hub, instance_id, execution_id, task_id, name, input)
      VALUES (@hub, @instanceId, @executionId, @taskId, @name, @input)`);
    this.insertLeasedTask = db.prepare(`INSERT INTO activity_tasks
        (hub, instance_id, execution_id, task_id, name, input, attempt, lock_token, locked_by, lock_expires_at)
      VALUES (@hub, @instanceId, @executionId, @taskId, @name, @input, 1, lower(hex(randomblob(16))), @workerId, @expiresAt)
      RETURNING id, lock_token`);
    // One guarded statement claims the batch, so no task is claimed twice; the caller's BEGIN IMMEDIATE keeps
    // other processes out between the SELECT and the UPDATE.
    this.claimTasks = db.prepare(`UPDATE activity_tasks
      SET lock_token = lower(hex(randomblob(16))), locked_by = @workerId, lock_expires_at = @expiresAt, attempt = attempt + 1
      WHERE id IN (SELECT id FROM activity_tasks
                   WHERE hub = @hub AND (lock_expires_at IS NULL OR lock_expires_at <= @now)
                   ORDER BY id LIMIT @max)
      RETURNING id, instance_id, execution_id, task_id, name, input, attempt, lock_token`);
    this.deleteLeased = db.prepare(`DELETE FROM activity_tasks
      WHERE hub = @hub AND id = @id AND lock_token = @lockToken AND lock_expires_at > @now`);
    this.extendLease = db.prepare(`UPDATE activity_tasks SET lock_expires_at = @expiresAt
      WHERE hub = @hub AND id = @id AND lock_token = @lockToken AND lock_expires_at > @now`);
    this.deleteUnleasedTasks = db.prepare(`DELETE FROM activity_tasks
      WHERE hub = @hub AND instance_id = @instanceId AND (lock_expires_at IS NULL OR lock_expires_at <= @now)`);
    this.deleteTasks = db.prepare('DELETE FROM activity_tasks WHERE hub = @hub AND instance_id = @instanceId');
    this.selectAnyTask = db.prepare<[Key], number>('SELECT 1 FROM activity_tasks WHERE hub = @hub AND instance_id = @instanceId LIMIT 1').pluck();
  }

  /** Adds the tasks; the first `lease.max` are born leased to `lease.workerId` and returned. */
  insert(
    hub: string,
    instanceId: string,
    executionId: string,
    tasks: readonly NewActivityTask[],
    lease?: { workerId: string; max: number; expiresAt: number },
  ): ActivityWorkItem[] {
    const leased: ActivityWorkItem[] = [];
    for (const [index, task] of tasks.entries()) {
      const row = { hub, instanceId, executionId, taskId: task.taskId, name: task.name, input: task.input ?? null };
      if (lease === undefined || index >= lease.max) {
        this.insertTask.run(row);
        continue;
      }
      const inserted = this.insertLeasedTask.get({ ...row, workerId: lease.workerId, expiresAt: lease.expiresAt })!;
      const item: ActivityWorkItem = {
        id: String(inserted.id),
        instanceId,
        executionId,
        taskId: task.taskId,
        name: task.name,
        attempt: 1,
        lockToken: inserted.lock_token,
      };
      if (task.input !== undefined) item.input = task.input;
      leased.push(item);
    }
    return leased;
  }

  /** Oldest first. */
  claim(hub: string, options: ClaimOptions, now: number): ActivityWorkItem[] {
    const rows = this.claimTasks.all({ hub, now, max: options.max, workerId: options.workerId, expiresAt: now + options.leaseMs });
    return rows.sort((a, b) => a.id - b.id).map((row) => {
      const item: ActivityWorkItem = {
        id: String(row.id),
        instanceId: row.instance_id,
        executionId: row.execution_id,
        taskId: row.task_id,
        name: row.name,
        attempt: row.attempt,
        lockToken: row.lock_token,
      };
      if (row.input !== null) item.input = row.input;
      return item;
    });
  }

  /** Deletes the task if `item` still holds its unexpired lease; false when the lease was lost. */
  deleteIfLeased(hub: string, item: ActivityWorkItem, now: number): boolean {
    const id = parseRowId(item.id);
    return id !== undefined && this.deleteLeased.run({ hub, id, lockToken: item.lockToken, now }).changes === 1;
  }

  renew(hub: string, item: ActivityWorkItem, leaseMs: number, now: number): boolean {
    const id = parseRowId(item.id);
    return id !== undefined && this.extendLease.run({ hub, id, lockToken: item.lockToken, now, expiresAt: now + leaseMs }).changes === 1;
  }

  /** Deletes the instance's tasks that no worker holds a live lease on; leased ones finish and report. */
  deleteUnleased(hub: string, instanceId: string, now: number): void {
    this.deleteUnleasedTasks.run({ hub, instanceId, now });
  }

  /** Whether the instance has any activity task, leased or not. */
  hasAny(hub: string, instanceId: string): boolean {
    return this.selectAnyTask.get({ hub, instanceId }) !== undefined;
  }

  deleteAll(hub: string, instanceId: string): void {
    this.deleteTasks.run({ hub, instanceId });
  }
}
