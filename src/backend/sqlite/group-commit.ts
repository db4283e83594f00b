/**
 * Group commit: writes submitted in the same turn of the event loop run in one transaction, each in its
 * own savepoint, and share one fsync. A busy worker commits dozens of steps per fsync instead of one;
 * a lone write waits only for setImmediate. Writes that only move leases (claims, renewals, abandons)
 * are `lease` writes: a batch made only of them commits with synchronous=NORMAL (no fsync), because
 * losing one on power failure merely frees a lease; the next durable commit's fsync covers their WAL
 * frames too. While another connection holds the file's write lock the batch waits asynchronously
 * (busy.ts), and writes submitted meanwhile join it.
 */
import type Database from 'better-sqlite3';
import { whenUnlocked, type BusyWait } from './busy.js';

/** `unsynced`: a write outside the group (SqliteStore.write) whose writer makes it durable later itself
 *  (SqliteStore.syncWrites), as a purge does once at its end. */
export type WriteKind = 'durable' | 'lease' | 'unsynced';

interface PendingWrite {
  work: () => unknown;
  kind: WriteKind;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class GroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private currentSynchronous: 'FULL' | 'NORMAL';
  private readonly transaction: Database.Transaction<(batch: PendingWrite[]) => { value?: unknown; error?: unknown }[]>;

  constructor(
    private readonly db: Database.Database,
    private readonly durableSynchronous: 'FULL' | 'NORMAL',
    private readonly busyWait: BusyWait,
  ) {
    this.currentSynchronous = durableSynchronous;
    // Nested better-sqlite3 transactions are savepoints: a write that throws rolls back alone.
    const savepoint = db.transaction((work: () => unknown) => work());
    this.transaction = db.transaction((batch: PendingWrite[]) =>
      batch.map((write) => {
        try {
          return { value: savepoint(write.work) };
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  submit<T>(kind: WriteKind, work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, kind, resolve, reject });
      if (!this.scheduled) this.schedule();
    });
  }

  private schedule(): void {
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** One flush at a time: `scheduled` stays set while a batch waits for the lock. */
  private async flush(): Promise<void> {
    const batch: PendingWrite[] = [];
    let outcomes: { value?: unknown; error?: unknown }[];
    try {
      outcomes = await whenUnlocked(this.busyWait, () => {
        // A failed attempt wrote nothing: the next one runs the batch again, with the writes that came meanwhile.
        batch.push(...this.pending);
        this.pending = [];
        this.synchronousFor(batch.some((write) => write.kind === 'durable') ? 'durable' : 'lease');
        return this.transaction.immediate(batch);
      });
    } catch (error) {
      // BEGIN or COMMIT failed (the lock never came, disk full…): nothing was written.
      for (const write of batch) write.reject(error);
      return;
    } finally {
      // Writes submitted after the last attempt (between it and here) go in the next batch.
      this.scheduled = false;
      if (this.pending.length > 0) this.schedule();
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if ('error' in outcome) write.reject(outcome.error);
      else write.resolve(outcome.value);
    });
  }

  /** Sets the connection's synchronous mode for a transaction of this kind (here, or a write outside the
   *  group): every change of the mode goes through here, so the mode it remembers is the connection's. */
  synchronousFor(kind: WriteKind): void {
    const mode = kind === 'durable' ? this.durableSynchronous : 'NORMAL';
    if (mode === this.currentSynchronous) return;
    this.db.pragma(`synchronous = ${mode}`);
    this.currentSynchronous = mode;
  }
}
