/** Deleting finished instances, one or by query in bounded batches, and whole hubs. */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { FINISHED_STATUSES, isFinished } from '../../core/history.js';
import type { InstanceQuery, PurgeOutcome } from '../backend.js';
import { deleteInstance } from './delivery.js';
import { instanceFilter, statusesOf } from './instance-filter.js';
import type { SqliteStore } from './store.js';

const HUB_TABLES = ['history', 'messages', 'activity_tasks', 'instance_tags', 'instances'] as const;

export class Purger {
  private readonly batchStatements = new Map<string, Database.Statement<[Record<string, unknown>], string>>();
  private readonly deleteHubRows: Database.Statement<[{ hub: string }]>[];

  constructor(private readonly store: SqliteStore) {
    this.deleteHubRows = HUB_TABLES.map((table) => store.db.prepare(`DELETE FROM ${table} WHERE hub = @hub`));
  }

  purgeOne(hub: string, instanceId: string): Promise<PurgeOutcome> {
    return this.store.write(() => {
      const status = this.store.instances.status(hub, instanceId);
      if (status === undefined) return { purged: false, reason: 'not-found' };
      if (!isFinished(status)) return { purged: false, reason: 'not-finished', status };
      deleteInstance(this.store, hub, instanceId);
      return { purged: true };
    });
  }

  /** One transaction per batch, yielding to the event loop in between, so that running work (in this
   *  process and others) gets the write lock between batches. */
  async purgeMany(hub: string, query: InstanceQuery, batchSize: number): Promise<number> {
    const requested = statusesOf(query);
    const statuses = FINISHED_STATUSES.filter((status) => requested === undefined || requested.includes(status));
    let purged = 0;
    for (const status of statuses) {
      const filter = instanceFilter(query, status);
      const select = this.batchSelect(filter.sql);
      for (;;) {
        const count = await this.store.write(() => {
          const ids = select.all({ hub, ...filter.params, batchSize });
          for (const id of ids) deleteInstance(this.store, hub, id);
          return ids.length;
        });
        purged += count;
        if (count < batchSize) break;
        await yieldToEventLoop();
      }
    }
    return purged;
  }

  /** False when the hub had no rows. */
  deleteHub(hub: string): Promise<boolean> {
    return this.store.write(() => this.deleteHubRows.reduce((deleted, statement) => statement.run({ hub }).changes > 0 || deleted, false));
  }

  private batchSelect(filterSql: string): Database.Statement<[Record<string, unknown>], string> {
    let statement = this.batchStatements.get(filterSql);
    if (statement === undefined) {
      statement = this.store.db.prepare<[Record<string, unknown>], string>(
        `SELECT instance_id FROM instances WHERE hub = @hub${filterSql} LIMIT @batchSize`).pluck();
      this.batchStatements.set(filterSql, statement);
    }
    return statement;
  }
}
