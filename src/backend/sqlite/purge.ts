/**
 * Deleting finished instances, one or by query in bounded batches, and whole hubs.
 *
 * A purge by query must not stop running work: this connection has the file's one write lock for the whole
 * of each batch, and better-sqlite3 holds the event loop meanwhile. Batches of 500 instances, each
 * instance's rows deleted one statement at a time, held it about 90 ms on a loaded machine, and hello
 * sequences running meanwhile took 8 to 11 times their idle latency (docs/benchmarks.md "Instance
 * management"). So a batch deletes its instances' rows table by table in one statement each, its size
 * follows the time the previous one held the lock (aiming at BATCH_MS), and while other writes wait the
 * purge pauses between batches as long as the batch held the lock: running work gets at least half of it.
 * The batches commit without an fsync (synchronous=NORMAL: in WAL mode still atomic, and a later durable
 * commit's fsync covers them too); the purge makes them durable once, at its end, with a checkpoint, which
 * syncs the WAL first. With an fsync each, a batch of 10 ms held the lock about 8 ms more on this machine.
 * A power loss before the end may undo batches the purge had not yet reported, never half an instance.
 */
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { FINISHED_STATUSES, isFinished } from '../../core/history.js';
import type { InstanceQuery, PurgeOutcome } from '../backend.js';
import { deleteInstance } from './delivery.js';
import { instanceFilter, statusesOf } from './instance-filter.js';
import type { SqliteStore } from './store.js';

const HUB_TABLES = ['history', 'messages', 'activity_tasks', 'instance_tags', 'instances'] as const;
/** How long one purge batch aims to hold the write lock, its commit included. */
const BATCH_MS = 10;
const FIRST_BATCH = 50;

interface BatchRow {
  instance_id: string;
  created_at: number;
  row_seq: number;
}

/** Where a purge's walk of one status stopped, in listing order. */
interface ListingPosition {
  afterCreatedAt: number;
  afterRowSeq: number;
}

export class Purger {
  private readonly batchStatements = new Map<string, Database.Statement<[Record<string, unknown>], BatchRow>>();
  private readonly deleteHubRows: Database.Statement<[{ hub: string }]>[];
  /** Each table's rows of the instances named in @ids, a JSON array (the instances row last: its trigger
   *  deletes the operation keys). */
  private readonly deleteInstanceRows: Database.Statement<[{ hub: string; ids: string }]>[];

  constructor(private readonly store: SqliteStore) {
    this.deleteHubRows = HUB_TABLES.map((table) => store.db.prepare(`DELETE FROM ${table} WHERE hub = @hub`));
    this.deleteInstanceRows = HUB_TABLES.map((table) =>
      store.db.prepare(`DELETE FROM ${table} WHERE hub = @hub AND instance_id IN (SELECT value FROM json_each(@ids))`));
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

  /** One transaction per batch of at most `batchSize` instances, yielding to running work in between. */
  async purgeMany(hub: string, query: InstanceQuery, batchSize: number): Promise<number> {
    const requested = statusesOf(query);
    const statuses = FINISHED_STATUSES.filter((status) => requested === undefined || requested.includes(status));
    let purged = 0;
    let size = Math.min(FIRST_BATCH, batchSize);
    let writesSeen = this.store.writesRequested;
    for (const status of statuses) {
      const filter = instanceFilter(query, status);
      let after: ListingPosition | undefined;
      for (;;) {
        const limit = size;
        const started = performance.now();
        const count = await this.store.write(() => {
          const select = this.batchSelect(filter.sql, after !== undefined);
          const rows = select.all({ hub, ...filter.params, ...after, batchSize: limit });
          if (rows.length > 0) {
            const json = JSON.stringify(rows.map((row) => row.instance_id));
            for (const statement of this.deleteInstanceRows) statement.run({ hub, ids: json });
            const last = rows[rows.length - 1]!;
            after = { afterCreatedAt: last.created_at, afterRowSeq: last.row_seq };
          }
          return rows.length;
        }, 'unsynced');
        const heldMs = performance.now() - started;
        purged += count;
        if (count < limit) break;
        size = Math.max(1, Math.min(batchSize, Math.round(limit * Math.min(2, BATCH_MS / Math.max(heldMs, 0.1)))));
        // Other writes asked since the last batch ended (while it paused): work is running beside the purge.
        const othersWrite = this.store.writesRequested > writesSeen + 1;
        writesSeen = this.store.writesRequested;
        if (othersWrite) await sleep(Math.min(heldMs, 100));
        else await yieldToEventLoop();
      }
    }
    if (purged > 0) this.store.syncWrites();
    return purged;
  }

  /** False when the hub had no rows. */
  deleteHub(hub: string): Promise<boolean> {
    return this.store.write(() => this.deleteHubRows.reduce((deleted, statement) => statement.run({ hub }).changes > 0 || deleted, false));
  }

  /**
   * A batch's candidates of one status in listing order, after `after` when the previous batch stopped
   * there: "the first matching rows" again would pass, batch after batch, every row the filter rejects
   * before them (retention beside 1,000,000 finished instances of other statuses or ages read all of them
   * per batch through instances_by_last_updated, docs/benchmarks.md "At 1,000,000 instances"). With the
   * status fixed and this order, the walk is a range of instances_by_status, as on PostgreSQL (purge.ts).
   */
  private batchSelect(filterSql: string, afterPosition: boolean): Database.Statement<[Record<string, unknown>], BatchRow> {
    const key = `${afterPosition ? 'after' : 'first'}:${filterSql}`;
    let statement = this.batchStatements.get(key);
    if (statement === undefined) {
      const position = afterPosition ? ' AND (created_at, row_seq) > (@afterCreatedAt, @afterRowSeq)' : '';
      statement = this.store.db.prepare<[Record<string, unknown>], BatchRow>(
        `SELECT instance_id, created_at, row_seq FROM instances WHERE hub = @hub${filterSql}${position} ORDER BY created_at, row_seq LIMIT @batchSize`);
      this.batchStatements.set(key, statement);
    }
    return statement;
  }
}
