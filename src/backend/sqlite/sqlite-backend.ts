/** The embedded backend: one SQLite file in WAL mode, shared safely by several processes on one machine. */
import type { RuntimeStatus } from '../../core/history.js';
import type {
  ActivityCommitOutcome,
  ActivityStep,
  ActivityStepOutcome,
  ActivityWorkItem,
  Backend,
  Claimed,
  ClaimOptions,
  CreateInstanceOutcome,
  CreateInstanceRequest,
  HistogramCount,
  HistogramRequest,
  HistoryPageRequest,
  HistoryRecord,
  InstancePage,
  InstanceQuery,
  InstanceRecord,
  ListInstancesRequest,
  OrchestrationCommit,
  OrchestrationWorkItem,
  OutgoingMessage,
  PurgeOutcome,
  SendMessageOutcome,
  SendOnceOutcome,
  StepCommitOutcome,
  WorkSignal,
} from '../backend.js';
import { OrchestrationClaims } from './claims.js';
import { whenUnlocked } from './busy.js';
import { completeActivity, completeActivityWithStep } from './activity-step.js';
import { commitStep } from './commit.js';
import { openConnection, type SqliteConnection } from './connection.js';
import type { PageCacheSettings, SqliteBackendOptions } from './options.js';
import { createInstance, sendMessage, sendMessagesOnce } from './delivery.js';
import { InstanceHistogram } from './histogram.js';
import { listHubs } from './hubs.js';
import { findInstances } from './instances.js';
import { InstanceListing } from './listing.js';
import { Purger } from './purge.js';
import { toInstanceRecord } from './rows.js';
import { applySqliteMigrations, sqliteSchemaIsCurrent } from './schema.js';
import { emitSignals, subscribeToSignals } from './signals.js';
import { PlannerStatistics } from './statistics.js';
import { SqliteStore } from './store.js';
import { WakeTimes } from './wake.js';

/** Everything prepared against the schema: built on first use, after migrate() has created the tables. */
interface Prepared {
  store: SqliteStore;
  claims: OrchestrationClaims;
  listing: InstanceListing;
  histogram: InstanceHistogram;
  purger: Purger;
  wake: WakeTimes;
  statistics: PlannerStatistics;
}

export interface SqliteDurability {
  journalMode: string;
  synchronous: 'full' | 'normal';
}

export class SqliteBackend implements Backend {
  readonly description: string;
  private readonly connection: SqliteConnection;
  private readonly clock: () => number;
  private preparedStatements: Prepared | undefined;
  private readonly subscriptions = new Set<() => void>();

  constructor(options: SqliteBackendOptions) {
    this.connection = openConnection(options);
    this.clock = options.clock ?? Date.now;
    this.description = `sqlite:${this.connection.resolvedPath}`;
  }

  /** The settings of durable commits on this connection (benchmarks report which mode they ran). */
  durability(): SqliteDurability {
    return {
      journalMode: this.connection.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.connection.synchronous === 'FULL' ? 'full' : 'normal',
    };
  }

  /** The page cache settings in force on this connection, read back from SQLite. */
  pageCache(): PageCacheSettings {
    const { db } = this.connection;
    const cacheSize = db.pragma('cache_size', { simple: true }) as number;
    return {
      // Negative: KiB; positive: pages (https://sqlite.org/pragma.html#pragma_cache_size).
      cacheSizeKib: cacheSize < 0 ? -cacheSize : (cacheSize * (db.pragma('page_size', { simple: true }) as number)) / 1024,
      mmapSizeBytes: db.pragma('mmap_size', { simple: true }) as number,
    };
  }

  async migrate(): Promise<void> {
    await whenUnlocked(this.connection.busyWait, () => applySqliteMigrations(this.connection.db));
  }

  async isMigrated(): Promise<boolean> {
    return sqliteSchemaIsCurrent(this.connection.db);
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions.clear();
    this.connection.db.close();
  }

  async now(): Promise<number> {
    return this.clock();
  }

  async createInstance(hub: string, request: CreateInstanceRequest): Promise<CreateInstanceOutcome> {
    const { store, statistics } = this.prepared;
    const outcome = await store.writeGrouped('durable', () => createInstance(store, hub, request, this.clock()));
    if (outcome.created) {
      this.emit(hub, [{ kind: 'orchestration' }]);
      // In a write of its own, after the creation's: the caller does not wait for it.
      statistics.created((work) => store.write(work));
    }
    return outcome;
  }

  async sendMessage(hub: string, message: OutgoingMessage, allowedStatuses: readonly RuntimeStatus[]): Promise<SendMessageOutcome> {
    const { store } = this.prepared;
    const outcome = await store.writeGrouped('durable', () => sendMessage(store, hub, message, allowedStatuses, this.clock()));
    if (outcome.sent) this.emit(hub, [{ kind: 'orchestration' }]);
    return outcome;
  }

  async sendMessagesOnce(hub: string, messages: readonly OutgoingMessage[], allowedStatuses: readonly RuntimeStatus[], operationKey: string): Promise<SendOnceOutcome[]> {
    const { store } = this.prepared;
    const outcomes = await store.writeGrouped('durable', () => sendMessagesOnce(store, hub, messages, allowedStatuses, operationKey, this.clock()));
    if (outcomes.some((outcome) => outcome.sent)) this.emit(hub, [{ kind: 'orchestration' }]);
    return outcomes;
  }

  async getInstance(hub: string, instanceId: string, options: { includeInput?: boolean } = {}): Promise<InstanceRecord | undefined> {
    const row = this.prepared.store.instances.find(hub, instanceId);
    if (row === undefined) return undefined;
    if (options.includeInput === false) delete row.input;
    return toInstanceRecord(row);
  }

  async getInstances(hub: string, instanceIds: readonly string[], options: { includeInput?: boolean } = {}): Promise<InstanceRecord[]> {
    return findInstances(this.prepared.store.db, hub, instanceIds, options.includeInput ?? true).map(toInstanceRecord);
  }

  async getHistory(hub: string, instanceId: string, page?: HistoryPageRequest): Promise<HistoryRecord[]> {
    return this.prepared.store.history.page(hub, instanceId, page);
  }

  async listInstances(hub: string, request: ListInstancesRequest): Promise<InstancePage> {
    const { store, listing } = this.prepared;
    return store.read(() => listing.list(hub, request));
  }

  async countInstances(hub: string, query: InstanceQuery): Promise<Partial<Record<RuntimeStatus, number>>> {
    const { store, listing } = this.prepared;
    return store.read(() => listing.count(hub, query));
  }

  async instanceHistogram(hub: string, request: HistogramRequest): Promise<HistogramCount[]> {
    const { store, histogram } = this.prepared;
    return store.read(() => histogram.count(hub, request));
  }

  async listHubs(): Promise<string[]> {
    return listHubs(this.prepared.store.db);
  }

  async purgeInstance(hub: string, instanceId: string): Promise<PurgeOutcome> {
    return this.prepared.purger.purgeOne(hub, instanceId);
  }

  async purgeInstances(hub: string, query: InstanceQuery, batchSize: number): Promise<number> {
    return this.prepared.purger.purgeMany(hub, query, batchSize);
  }

  async deleteHub(hub: string): Promise<boolean> {
    return this.prepared.purger.deleteHub(hub);
  }

  async claimOrchestrations(hub: string, options: ClaimOptions): Promise<Claimed<OrchestrationWorkItem>> {
    const { store, claims, wake } = this.prepared;
    return store.writeGrouped('lease', () => {
      const now = this.clock();
      const items = claims.claim(hub, options, now);
      return items.length > 0 ? items : wake.emptyOrchestrationClaim(hub, now);
    });
  }

  async commitOrchestration(hub: string, item: OrchestrationWorkItem, commit: OrchestrationCommit): Promise<StepCommitOutcome> {
    const { store } = this.prepared;
    const { outcome, signals } = await store.writeGrouped('durable', () => commitStep(store, hub, item, commit, this.clock()));
    this.emit(hub, signals);
    return outcome;
  }

  async abandonOrchestration(hub: string, item: OrchestrationWorkItem, retryAfterMs: number, failed = false): Promise<void> {
    const { store } = this.prepared;
    await store.writeGrouped('lease', () => store.instances.abandon(hub, item.instance.instanceId, item.lockToken, this.clock() + retryAfterMs, failed));
  }

  async claimActivities(hub: string, options: ClaimOptions): Promise<Claimed<ActivityWorkItem>> {
    const { store, wake } = this.prepared;
    return store.writeGrouped('lease', () => {
      const now = this.clock();
      const items = store.activities.claim(hub, options, now);
      return items.length > 0 ? items : wake.emptyActivityClaim(hub, now);
    });
  }

  async completeActivity(
    hub: string,
    item: ActivityWorkItem,
    result: OutgoingMessage,
    claimNext?: Omit<ClaimOptions, 'max'>,
  ): Promise<ActivityCommitOutcome> {
    const { store, claims } = this.prepared;
    const outcome = await store.writeGrouped('durable', () => completeActivity(store, claims, hub, item, result, claimNext, this.clock()));
    if (!outcome.ok) return { ok: false, reason: 'lease-lost' };
    this.emitDelivered(hub, outcome);
    return outcome.claimed ? { ok: true, claimed: outcome.claimed } : { ok: true };
  }

  async completeActivityWithStep(
    hub: string,
    item: ActivityWorkItem,
    result: OutgoingMessage,
    step: ActivityStep,
    claimNext?: Omit<ClaimOptions, 'max'>,
  ): Promise<ActivityStepOutcome> {
    const { store, claims } = this.prepared;
    const outcome = await store.writeGrouped('durable', () => completeActivityWithStep(store, claims, hub, item, result, step, claimNext, this.clock()));
    if (!outcome.ok) return { ok: false, reason: 'lease-lost' };
    if (outcome.stepCommitted) {
      this.emit(hub, outcome.signals);
      return { ok: true, stepCommitted: true, leasedActivities: outcome.leasedActivities };
    }
    this.emitDelivered(hub, outcome);
    const { fallback } = outcome;
    return outcome.claimed ? { ok: true, stepCommitted: false, fallback, claimed: outcome.claimed } : { ok: true, stepCommitted: false, fallback };
  }

  /** A delivered result is news to the other workers, unless the completing worker claimed its instance. */
  private emitDelivered(hub: string, outcome: { delivered: boolean; claimed?: OrchestrationWorkItem }): void {
    if (outcome.delivered && !outcome.claimed) this.emit(hub, [{ kind: 'orchestration' }]);
  }

  async renewActivityLease(hub: string, item: ActivityWorkItem, leaseMs: number): Promise<boolean> {
    const { store } = this.prepared;
    return store.writeGrouped('lease', () => store.activities.renew(hub, item, leaseMs, this.clock()));
  }

  async nextWakeAt(hub: string): Promise<number | undefined> {
    return this.prepared.wake.next(hub, this.clock());
  }

  subscribe(hub: string, listener: (signal: WorkSignal) => void): () => void {
    const unsubscribeFromChannel = subscribeToSignals(this.connection.resolvedPath, hub, listener);
    const unsubscribe = (): void => {
      unsubscribeFromChannel();
      this.subscriptions.delete(unsubscribe);
    };
    this.subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  private emit(hub: string, signals: readonly WorkSignal[]): void {
    emitSignals(this.connection.resolvedPath, hub, signals);
  }

  private get prepared(): Prepared {
    if (this.preparedStatements === undefined) {
      const db = this.connection.db;
      if (db.prepare('SELECT 1 FROM sqlite_master WHERE name = \'instances\'').get() === undefined) {
        throw new Error(`${this.description} has no taskhub schema yet: call migrate() first`);
      }
      const store = new SqliteStore(db, this.connection.synchronous, this.connection.busyWait);
      this.preparedStatements = {
        store,
        claims: new OrchestrationClaims(store),
        listing: new InstanceListing(db),
        histogram: new InstanceHistogram(db),
        purger: new Purger(store),
        statistics: new PlannerStatistics(db),
        wake: new WakeTimes(db),
      };
    }
    return this.preparedStatements;
  }
}

/** Opens (creating if needed) and migrates a SQLite backend. */
export async function openSqliteBackend(path: string, options: Omit<SqliteBackendOptions, 'path'> = {}): Promise<SqliteBackend> {
  const backend = new SqliteBackend({ ...options, path });
  try {
    await backend.migrate();
    return backend;
  } catch (error) {
    await backend.close();
    throw error;
  }
}
