/** Statements on the messages table: each instance's inbox. */
import type Database from 'better-sqlite3';
import type { InboxEvent } from '../../core/history.js';
import type { InboxMessage, OutgoingMessage } from '../backend.js';
import { parseRowId } from './rows.js';

interface Key { hub: string; instanceId: string }
interface MessageRow { id: number; execution_id: string | null; event: string }

export class MessageStatements {
  private readonly insertMessage: Database.Statement<[Record<string, unknown>]>;
  private readonly selectVisible: Database.Statement<[Key & { now: number }], MessageRow>;
  private readonly selectAnyVisible: Database.Statement<[Key & { now: number }], number>;
  private readonly deleteMessage: Database.Statement<[Key & { id: number }]>;
  private readonly deleteInbox: Database.Statement<[Key]>;
  private readonly selectLastId: Database.Statement<[Key], number | null>;
  private readonly copyToBack: Database.Statement<[Key & { upTo: number }]>;
  private readonly deleteUpTo: Database.Statement<[Key & { upTo: number }]>;

  constructor(db: Database.Database) {
    this.insertMessage = db.prepare(`INSERT INTO messages (hub, instance_id, execution_id, event_type, event, visible_at)
      VALUES (@hub, @instanceId, @executionId, @eventType, @event, @visibleAt)`);
    // Without the hint the planner prefers the range on messages_by_visibility and reads every visible
    // message of the hub: 350 µs a step at 3,000 waiting instances, instead of a few µs.
    this.selectVisible = db.prepare(`SELECT id, execution_id, event FROM messages INDEXED BY messages_by_instance
      WHERE hub = @hub AND instance_id = @instanceId AND visible_at <= @now ORDER BY id`);
    this.selectAnyVisible = db.prepare<[Key & { now: number }], number>(`SELECT 1 FROM messages INDEXED BY messages_by_instance
      WHERE hub = @hub AND instance_id = @instanceId AND visible_at <= @now LIMIT 1`).pluck();
    this.deleteMessage = db.prepare('DELETE FROM messages WHERE hub = @hub AND instance_id = @instanceId AND id = @id');
    this.deleteInbox = db.prepare('DELETE FROM messages WHERE hub = @hub AND instance_id = @instanceId');
    this.selectLastId = db
      .prepare<[Key], number | null>('SELECT max(id) FROM messages WHERE hub = @hub AND instance_id = @instanceId')
      .pluck();
    this.copyToBack = db.prepare(`INSERT INTO messages (hub, instance_id, execution_id, event_type, event, visible_at)
      SELECT hub, instance_id, execution_id, event_type, event, visible_at FROM messages INDEXED BY messages_by_instance
      WHERE hub = @hub AND instance_id = @instanceId AND id <= @upTo ORDER BY id`);
    this.deleteUpTo = db.prepare('DELETE FROM messages WHERE hub = @hub AND instance_id = @instanceId AND id <= @upTo');
  }

  /** The newest message id of the inbox (0 when empty): the mark for moveToBack. */
  lastId(hub: string, instanceId: string): number {
    return this.selectLastId.get({ hub, instanceId }) ?? 0;
  }

  /** Moves the messages up to `upTo` behind every later one, in their order. */
  moveToBack(hub: string, instanceId: string, upTo: number): void {
    this.copyToBack.run({ hub, instanceId, upTo });
    this.deleteUpTo.run({ hub, instanceId, upTo });
  }

  /** Inserts without checking the recipient: callers apply the delivery rules (delivery.ts). */
  insert(hub: string, message: OutgoingMessage, now: number): void {
    this.insertMessage.run({
      hub,
      instanceId: message.instanceId,
      executionId: message.executionId ?? null,
      eventType: message.event.type,
      event: JSON.stringify(message.event),
      visibleAt: message.visibleAt ?? now,
    });
  }

  visible(hub: string, instanceId: string, now: number): InboxMessage[] {
    return this.selectVisible.all({ hub, instanceId, now }).map((row) => {
      const message: InboxMessage = { id: String(row.id), event: JSON.parse(row.event) as InboxEvent };
      if (row.execution_id !== null) message.executionId = row.execution_id;
      return message;
    });
  }

  hasVisible(hub: string, instanceId: string, now: number): boolean {
    return this.selectAnyVisible.get({ hub, instanceId, now }) !== undefined;
  }

  /** Ids that are not this backend's (not decimal integers) name no message and are skipped. */
  delete(hub: string, instanceId: string, ids: readonly string[]): void {
    for (const text of ids) {
      const id = parseRowId(text);
      if (id !== undefined) this.deleteMessage.run({ hub, instanceId, id });
    }
  }

  deleteAll(hub: string, instanceId: string): void {
    this.deleteInbox.run({ hub, instanceId });
  }
}
