/** Statements on operation_keys: which keyed deliveries each instance got (sendMessagesOnce). */
import type Database from 'better-sqlite3';

interface Key { hub: string; instanceId: string; operationKey: string }

export class OperationKeyStatements {
  private readonly insertKey: Database.Statement<[Key]>;
  private readonly selectKey: Database.Statement<[Key], number>;

  constructor(db: Database.Database) {
    this.insertKey = db.prepare('INSERT INTO operation_keys (hub, instance_id, operation_key) VALUES (@hub, @instanceId, @operationKey)');
    this.selectKey = db
      .prepare<[Key], number>('SELECT 1 FROM operation_keys WHERE hub = @hub AND instance_id = @instanceId AND operation_key = @operationKey')
      .pluck();
  }

  record(hub: string, instanceId: string, operationKey: string): void {
    this.insertKey.run({ hub, instanceId, operationKey });
  }

  isRecorded(hub: string, instanceId: string, operationKey: string): boolean {
    return this.selectKey.get({ hub, instanceId, operationKey }) !== undefined;
  }
}
