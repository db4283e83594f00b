/** The prepared statements of one connection, prepared once, and its transactions. */
import type Database from 'better-sqlite3';
import { ActivityStatements } from './activities.js';
import { whenUnlocked, type BusyWait } from './busy.js';
import { HistoryStatements } from './history.js';
import { InstanceStatements } from './instances.js';
import { MessageStatements } from './messages.js';
import { OperationKeyStatements } from './operation-keys.js';
import { GroupCommit, type WriteKind } from './group-commit.js';

export class SqliteStore {
  readonly instances: InstanceStatements;
  readonly history: HistoryStatements;
  readonly messages: MessageStatements;
  readonly activities: ActivityStatements;
  readonly operationKeys: OperationKeyStatements;
  private readonly run: Database.Transaction<(work: () => unknown) => unknown>;
  private readonly groupCommit: GroupCommit;
  /** Writes asked of this connection so far: a long job tells from it whether other work is waiting. */
  private writes = 0;

  constructor(
    readonly db: Database.Database,
    durableSynchronous: 'FULL' | 'NORMAL',
    private readonly busyWait: BusyWait,
  ) {
    this.instances = new InstanceStatements(db);
    this.history = new HistoryStatements(db);
    this.messages = new MessageStatements(db);
    this.activities = new ActivityStatements(db);
    this.operationKeys = new OperationKeyStatements(db);
    this.run = db.transaction((work: () => unknown) => work());
    this.groupCommit = new GroupCommit(db, durableSynchronous, busyWait);
  }

  /** A write that shares its transaction and fsync with the other writes of this event-loop turn. */
  writeGrouped<T>(kind: WriteKind, work: () => T): Promise<T> {
    this.writes += 1;
    return this.groupCommit.submit(kind, work);
  }

  /** A write transaction: BEGIN IMMEDIATE takes the file's write lock up front, so two processes never
   *  both read and then fail to upgrade; while another connection holds it, the write waits (busy.ts). */
  write<T>(work: () => T, kind: WriteKind = 'durable'): Promise<T> {
    this.writes += 1;
    return whenUnlocked(this.busyWait, () => {
      this.groupCommit.synchronousFor(kind);
      return this.run.immediate(work) as T;
    });
  }

  /** Makes every write committed so far durable: a checkpoint syncs the WAL before it copies it (in WAL
   *  mode a commit with synchronous=NORMAL leaves its frames to the next sync). */
  syncWrites(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  get writesRequested(): number {
    return this.writes;
  }

  /** A read transaction: one snapshot across several statements. */
  read<T>(work: () => T): T {
    return this.run.deferred(work) as T;
  }
}
