/** Statements on the history table: one row per event, numbered from 0 per instance. */
import type Database from 'better-sqlite3';
import type { HistoryEvent } from '../../core/history.js';
import type { HistoryPageRequest, HistoryRecord } from '../backend.js';

interface Key { hub: string; instanceId: string }
interface EventRow { sequence: number; event: string }

export class HistoryStatements {
  private readonly selectPage: Database.Statement<[Key & { fromSequence: number; limit: number }], EventRow>;
  private readonly selectNextSequence: Database.Statement<[Key], number>;
  private readonly insertEvent: Database.Statement<[Key & { sequence: number; event: string }]>;
  private readonly deleteEvents: Database.Statement<[Key]>;

  constructor(db: Database.Database) {
    this.selectPage = db.prepare(`SELECT sequence, event FROM history
      WHERE hub = @hub AND instance_id = @instanceId AND sequence >= @fromSequence
      ORDER BY sequence LIMIT @limit`);
    this.selectNextSequence = db.prepare<[Key], number>(
      'SELECT coalesce(max(sequence) + 1, 0) FROM history WHERE hub = @hub AND instance_id = @instanceId').pluck();
    this.insertEvent = db.prepare('INSERT INTO history (hub, instance_id, sequence, event) VALUES (@hub, @instanceId, @sequence, @event)');
    this.deleteEvents = db.prepare('DELETE FROM history WHERE hub = @hub AND instance_id = @instanceId');
  }

  page(hub: string, instanceId: string, page: HistoryPageRequest = {}): HistoryRecord[] {
    // LIMIT -1 is SQLite's "no limit".
    const rows = this.selectPage.all({ hub, instanceId, fromSequence: page.fromSequence ?? 0, limit: page.limit ?? -1 });
    return rows.map((row) => ({ sequence: row.sequence, event: JSON.parse(row.event) as HistoryEvent }));
  }

  events(hub: string, instanceId: string): HistoryEvent[] {
    return this.page(hub, instanceId).map((record) => record.event);
  }

  /** The number of events, found from the index's last entry (not counted). */
  length(hub: string, instanceId: string): number {
    return this.selectNextSequence.get({ hub, instanceId }) ?? 0;
  }

  append(hub: string, instanceId: string, events: readonly HistoryEvent[]): void {
    if (events.length === 0) return;
    this.insertFrom(hub, instanceId, this.selectNextSequence.get({ hub, instanceId }) ?? 0, events);
  }

  replace(hub: string, instanceId: string, events: readonly HistoryEvent[]): void {
    this.delete(hub, instanceId);
    this.insertFrom(hub, instanceId, 0, events);
  }

  delete(hub: string, instanceId: string): void {
    this.deleteEvents.run({ hub, instanceId });
  }

  private insertFrom(hub: string, instanceId: string, first: number, events: readonly HistoryEvent[]): void {
    events.forEach((event, index) => {
      this.insertEvent.run({ hub, instanceId, sequence: first + index, event: JSON.stringify(event) });
    });
  }
}
