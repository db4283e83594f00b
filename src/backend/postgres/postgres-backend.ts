/**
 * The PostgreSQL backend: many workers on many machines share a hub. Work is claimed with FOR UPDATE SKIP
 * LOCKED and leases timed by the database's clock, commits are fenced by the lease's token, and workers
 * are woken by LISTEN/NOTIFY (docs/scale-out.md). Each method is one query module's function; each write
 * is one call of a server function (sql/), and commits, activity results and creations made in
 * the same event-loop turn share one (group-commit.ts).
 */
import pg from 'pg';
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
import { claimActivities, completeActivities, completeActivitiesWithSteps, renewActivityLease, type ActivityResult, type ActivityResultWithStep } from './activities.js';
import { abandonOrchestration, claimOrchestrations } from './claims.js';
import { commitSteps, type StepToCommit } from './commit.js';
import { createInstances } from './delivery.js';
import type { PostgresStore } from './connection.js';
import { deliverMessage, deliverMessagesOnce } from './delivery.js';
import { GroupCommit } from './group-commit.js';
import { instanceHistogram } from './histogram.js';
import { listHubs } from './hubs.js';
import { countInstances, listInstances } from './listing.js';
import { applyPostgresMigrations, postgresSchemaIsCurrent } from './schema.js';
import { nextWakeAt } from './wake.js';
import { applicationName, DEFAULT_POOL_SIZE, DEFAULT_SCHEMA, describeConnection, type PostgresBackendOptions } from './options.js';
import { deleteHub, purgeInstance, purgeInstances } from './purge.js';
import { getHistory, getInstance, getInstances } from './instances.js';
import { SignalListener } from './signal-listener.js';
import { channelOf } from './signals.js';
import { NOW_MS, tablesOf } from './sql.js';
import { toNumber, type BigintText } from './rows.js';

/** Idle connections are probed so that a dead server or a partition is noticed (T09). */
const KEEPALIVE_DELAY_MS = 10_000;
/** How long to wait for a connection, from the server or from a busy pool, before failing (transient). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Largest group-committed batch, which bounds one call's parameters and transaction: a worker's claims bring
 *  50 items at a time by default; a burst of client starts is split. */
const MAX_BATCH = 100;

export class PostgresBackend implements Backend {
  readonly description: string;
  private readonly store: PostgresStore;
  private readonly signals: SignalListener;
  private readonly creations: GroupCommit<CreateInstanceRequest, CreateInstanceOutcome>;
  private readonly steps: GroupCommit<StepToCommit, StepCommitOutcome>;
  private readonly activityResults: GroupCommit<ActivityResult, ActivityCommitOutcome>;
  private readonly activityResultsWithSteps: GroupCommit<ActivityResultWithStep, ActivityStepOutcome>;

  constructor(options: PostgresBackendOptions) {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const tables = tablesOf(schema);
    this.description = describeConnection(options.connectionString, schema);
    const connection: pg.ClientConfig = {
      connectionString: options.connectionString,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: applicationName(schema, 'pool'),
    };
    const pool = new pg.Pool({
      ...connection,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      ...(options.statementTimeoutMs !== undefined && { statement_timeout: options.statementTimeoutMs }),
    });
    // An idle pooled connection that the server drops emits 'error' on the pool; the pool discards it, and
    // the next query opens a new one. Without a handler the process would crash.
    pool.on('error', () => undefined);
    this.store = { pool, tables, channel: channelOf(schema) };
    this.signals = new SignalListener({ ...connection, application_name: applicationName(schema, 'listen') }, this.store.channel);
    const store = this.store;
    this.creations = new GroupCommit((hub, requests) => createInstances(store, hub, requests), MAX_BATCH);
    this.steps = new GroupCommit((hub, steps) => commitSteps(store, hub, steps), MAX_BATCH);
    this.activityResults = new GroupCommit((hub, results) => completeActivities(store, hub, results), MAX_BATCH);
    this.activityResultsWithSteps = new GroupCommit((hub, results) => completeActivitiesWithSteps(store, hub, results), MAX_BATCH);
  }

  /** Also opens the LISTEN connection: every process migrates at start-up, and a worker or a waiting
   *  client that subscribes next then hears every signal from its first moment. */
  async migrate(): Promise<void> {
    await applyPostgresMigrations(this.store);
    await this.signals.start();
  }

  async isMigrated(): Promise<boolean> {
    return postgresSchemaIsCurrent(this.store);
  }

  async close(): Promise<void> {
    await this.signals.close();
    await this.store.pool.end();
  }

  async now(): Promise<number> {
    const result = await this.store.pool.query<{ now: BigintText }>(`SELECT ${NOW_MS} AS now`);
    return toNumber(result.rows[0]!.now);
  }

  createInstance(hub: string, request: CreateInstanceRequest): Promise<CreateInstanceOutcome> {
    return this.creations.submit(hub, request);
  }

  /** One statement: it locks the instance row, checks the status and inserts, atomically. */
  async sendMessage(hub: string, message: OutgoingMessage, allowedStatuses: readonly RuntimeStatus[]): Promise<SendMessageOutcome> {
    const status = await deliverMessage(this.store, hub, message, allowedStatuses);
    if (status === undefined) return { sent: false, reason: 'not-found' };
    if (!allowedStatuses.includes(status)) return { sent: false, reason: 'wrong-status', status };
    return { sent: true, status };
  }

  /** One statement: it locks the recipients, checks the keys and statuses, records the keys and inserts, atomically. */
  sendMessagesOnce(hub: string, messages: readonly OutgoingMessage[], allowedStatuses: readonly RuntimeStatus[], operationKey: string): Promise<SendOnceOutcome[]> {
    return deliverMessagesOnce(this.store, hub, messages, allowedStatuses, operationKey);
  }

  getInstance(hub: string, instanceId: string, options?: { includeInput?: boolean }): Promise<InstanceRecord | undefined> {
    return getInstance(this.store, hub, instanceId, options?.includeInput ?? true);
  }

  getInstances(hub: string, instanceIds: readonly string[], options?: { includeInput?: boolean }): Promise<InstanceRecord[]> {
    return getInstances(this.store, hub, instanceIds, options?.includeInput ?? true);
  }

  getHistory(hub: string, instanceId: string, page?: HistoryPageRequest): Promise<HistoryRecord[]> {
    return getHistory(this.store, hub, instanceId, page);
  }

  listInstances(hub: string, request: ListInstancesRequest): Promise<InstancePage> {
    return listInstances(this.store, hub, request);
  }

  countInstances(hub: string, query: InstanceQuery): Promise<Partial<Record<RuntimeStatus, number>>> {
    return countInstances(this.store, hub, query);
  }

  instanceHistogram(hub: string, request: HistogramRequest): Promise<HistogramCount[]> {
    return instanceHistogram(this.store, hub, request);
  }

  listHubs(): Promise<string[]> {
    return listHubs(this.store);
  }

  purgeInstance(hub: string, instanceId: string): Promise<PurgeOutcome> {
    return purgeInstance(this.store, hub, instanceId);
  }

  purgeInstances(hub: string, query: InstanceQuery, batchSize: number): Promise<number> {
    return purgeInstances(this.store, hub, query, batchSize);
  }

  deleteHub(hub: string): Promise<boolean> {
    return deleteHub(this.store, hub);
  }

  claimOrchestrations(hub: string, options: ClaimOptions): Promise<Claimed<OrchestrationWorkItem>> {
    return claimOrchestrations(this.store, hub, options);
  }

  commitOrchestration(hub: string, item: OrchestrationWorkItem, commit: OrchestrationCommit): Promise<StepCommitOutcome> {
    return this.steps.submit(hub, { item, commit });
  }

  abandonOrchestration(hub: string, item: OrchestrationWorkItem, retryAfterMs: number, failed = false): Promise<void> {
    return abandonOrchestration(this.store, hub, item.instance.instanceId, item.lockToken, retryAfterMs, failed);
  }

  claimActivities(hub: string, options: ClaimOptions): Promise<Claimed<ActivityWorkItem>> {
    return claimActivities(this.store, hub, options);
  }

  completeActivity(hub: string, item: ActivityWorkItem, result: OutgoingMessage, claimNext?: Omit<ClaimOptions, 'max'>): Promise<ActivityCommitOutcome> {
    return this.activityResults.submit(hub, claimNext ? { item, result, claimNext } : { item, result });
  }

  completeActivityWithStep(
    hub: string,
    item: ActivityWorkItem,
    result: OutgoingMessage,
    step: ActivityStep,
    claimNext?: Omit<ClaimOptions, 'max'>,
  ): Promise<ActivityStepOutcome> {
    return this.activityResultsWithSteps.submit(hub, claimNext ? { item, result, step, claimNext } : { item, result, step });
  }

  renewActivityLease(hub: string, item: ActivityWorkItem, leaseMs: number): Promise<boolean> {
    return renewActivityLease(this.store, hub, item, leaseMs);
  }

  nextWakeAt(hub: string): Promise<number | undefined> {
    return nextWakeAt(this.store, hub);
  }

  subscribe(hub: string, listener: (signal: WorkSignal) => void): () => void {
    return this.signals.subscribe(hub, listener);
  }
}
