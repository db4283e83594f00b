/**
 * Every instance-management operation of the seed (start, query, list, terminate, raise events, suspend,
 * resume, rewind, restart, purge, delete the hub) plus the HTTP helpers. The client writes messages and
 * instance rows through the backend; workers do the work.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Backend, HistogramCount, InstanceRecord, WorkSignal } from '../backend/backend.js';
import type { HistoryEvent, InboxEvent, RuntimeStatus } from '../core/history.js';
import { RUNTIME_STATUSES } from '../core/history.js';
import type { OrchestratorRef } from '../core/context.js';
import { toJson } from '../core/serialize.js';
import type { Registry } from '../authoring/registry.js';
import {
  InstanceExistsError,
  InstanceNotFoundError,
  InvalidArgumentError,
  UnknownOrchestratorError,
  WaitTimeoutError,
} from '../errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { validateTags } from '../core/tags.js';
import { validateDate, validateHubName, validateInstanceId, validateListOrder, validateName, validateRuntimeStatuses } from './validation.js';
import { toOrchestrationStatus, toStatusJson, type OrchestrationStatus } from './status-view.js';
import {
  createCheckStatusResponse,
  createHttpManagementPayload,
  requestOrigin,
  type HttpManagementPayload,
  type HttpResponseInit,
  type RequestLike,
} from './management-urls.js';
import { waitForFinish } from './wait.js';
import { cancelBatch, getBatch, listBatches, startBatch, type BatchJob, type BatchRequest } from './batches.js';
import { RESERVED_NAME_PREFIX } from '../core/names.js';
import { getRetention, setRetention, type RetentionPolicy, type RetentionView } from './retention.js';
import { OPERATIONS, isAllowed, refusal, statesText, type ManagementOperation } from './operations.js';
import {
  toQuery,
  type GetStatusOptions,
  type InstanceFilter,
  type InstancePageView,
  type ListOptions,
  type PurgeFilter,
  type StartOptions,
  type WaitOptions,
} from './options.js';

export type { BatchJob, BatchRequest } from './batches.js';
export type { RetentionPolicy, RetentionRun, RetentionView } from './retention.js';
export type { GetStatusOptions, InstanceFilter, InstancePageView, ListOptions, PurgeFilter, StartOptions, WaitOptions };

export interface TaskHubClientOptions {
  backend: Backend;
  /** Default `DurableFunctionsHub`. */
  hub?: string;
  /** When given, starting an orchestrator that is not registered is refused (S-START-5). */
  registry?: Registry;
  maxPayloadBytes?: number;
  /** Echoed as `connection` in management URLs. */
  connectionName?: string;
  /** Written into management URLs as `code` (only when the server is told to embed it). */
  embeddedApiKey?: string;
}

const DEFAULT_HUB = 'DurableFunctionsHub';
export const MAX_PAGE_SIZE = 1000;
const PURGE_BATCH_SIZE = 500;

export class TaskHubClient {
  readonly backend: Backend;
  readonly hub: string;
  private readonly registry: Registry | undefined;
  private readonly maxPayloadBytes: number;
  private readonly connectionName: string | undefined;
  private readonly embeddedApiKey: string | undefined;

  constructor(options: TaskHubClientOptions) {
    this.backend = options.backend;
    this.hub = validateHubName(options.hub ?? DEFAULT_HUB);
    this.registry = options.registry;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.connectionName = options.connectionName;
    this.embeddedApiKey = options.embeddedApiKey;
  }

  /** A client on the same store for another task hub. */
  forHub(hub: string): TaskHubClient {
    return new TaskHubClient({
      backend: this.backend,
      hub,
      registry: this.registry,
      maxPayloadBytes: this.maxPayloadBytes,
      connectionName: this.connectionName,
      embeddedApiKey: this.embeddedApiKey,
    });
  }

  /** S-START-1: writes the start message and returns the instance id at once. */
  async startNew<TIn>(orchestrator: string | OrchestratorRef<TIn, unknown>, options: StartOptions<TIn> = {}): Promise<string> {
    const name = validateName('an orchestrator name', typeof orchestrator === 'string' ? orchestrator : orchestrator.name);
    const instanceId = options.instanceId === undefined ? newInstanceId() : validateInstanceId(options.instanceId);
    for (const [what, value] of [['orchestrator names', name], ['instance ids', instanceId]] as const) {
      if (value.startsWith(RESERVED_NAME_PREFIX)) throw new InvalidArgumentError(`${what} starting with '${RESERVED_NAME_PREFIX}' are taskhub's own; '${value}' cannot be started`);
    }
    if (this.registry && !this.registry.hasOrchestrator(name)) throw new UnknownOrchestratorError(name);
    const startAt = validateDate('startAt', options.startAt);
    const input = toJson(options.input, 'the orchestration input', this.maxPayloadBytes);
    const tags = options.tags === undefined ? undefined : validateTags(options.tags);
    const executionId = newExecutionId();
    const now = new Date().toISOString();
    const startEvent: InboxEvent = {
      type: 'ExecutionStarted',
      eventId: -1,
      timestamp: now,
      name,
      executionId,
      input,
      ...(startAt ? { scheduledStartTime: startAt.toISOString() } : {}),
      // In the history too, so that the engine holds setTag to the limit for the instance's total.
      ...(tags && Object.keys(tags).length > 0 ? { tags } : {}),
    };
    const outcome = await this.backend.createInstance(this.hub, {
      instanceId,
      executionId,
      name,
      input,
      scheduledStartAt: startAt?.getTime(),
      tags,
      startEvent,
    });
    if (!outcome.created) throw new InstanceExistsError(instanceId, outcome.existingStatus);
    return instanceId;
  }

  /** S-QUERY-1: undefined when there is no such instance. */
  async getStatus(instanceId: string, options: GetStatusOptions = {}): Promise<OrchestrationStatus | undefined> {
    validateInstanceId(instanceId);
    const showInput = options.showInput ?? true;
    // The history is read beside the row, not after it: one round trip less on the path that reads most.
    const [record, history] = await Promise.all([
      this.backend.getInstance(this.hub, instanceId, { includeInput: showInput }),
      options.showHistory ? this.readWholeHistory(instanceId) : undefined,
    ]);
    return record && toOrchestrationStatus(record, { showInput, showHistoryOutput: options.showHistoryOutput }, history);
  }

  /** (beyond DF) The raw history, unfolded, in pages: events with sequence numbers from `fromSequence`. */
  async getHistory(instanceId: string, options: { fromSequence?: number; limit?: number } = {}): Promise<HistoryEvent[]> {
    validateInstanceId(instanceId);
    if (!(await this.backend.getInstance(this.hub, instanceId, { includeInput: false }))) throw new InstanceNotFoundError(instanceId);
    const records = await this.backend.getHistory(this.hub, instanceId, options);
    return records.map((record) => record.event);
  }

  /** S-LIST-1…3: one page. */
  async listInstances(options: ListOptions = {}): Promise<InstancePageView> {
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError(`the page size must be a whole number from 1 to ${MAX_PAGE_SIZE} (got ${String(pageSize)})`);
    }
    // Durable Functions' default (OrchestrationStatusQueryCondition.ShowInput): its clients never send the flag on lists.
    const showInput = options.showInput ?? true;
    const page = await this.backend.listInstances(this.hub, {
      ...toQuery(options),
      pageSize,
      continuationToken: options.continuationToken || undefined,
      orderBy: validateListOrder(options.orderBy),
      includeInput: showInput,
    });
    return {
      instances: page.instances.map((record) => toOrchestrationStatus(record, { showInput })),
      ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    };
  }

  /** S-LIST-5: every matching instance, one page in memory at a time. */
  async *listAllInstances(options: Omit<ListOptions, 'continuationToken'> = {}): AsyncGenerator<OrchestrationStatus> {
    let continuationToken: string | undefined;
    do {
      const page = await this.listInstances({ ...options, continuationToken });
      yield* page.instances;
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  /** S-LIST-4: instances per runtime status for a filter; statuses with none are 0. */
  async countInstances(filter: InstanceFilter = {}): Promise<Record<RuntimeStatus, number>> {
    const counts = await this.backend.countInstances(this.hub, toQuery(filter));
    return Object.fromEntries(RUNTIME_STATUSES.map((status) => [status, counts[status] ?? 0])) as Record<RuntimeStatus, number>;
  }

  /**
   * (beyond DF) Instances created per interval of `intervalMs` from `origin`, by status, for a filter: the
   * dashboard's chart. Empty intervals are left out.
   */
  async instanceHistogram(filter: InstanceFilter, intervals: { origin: Date; intervalMs: number }): Promise<HistogramCount[]> {
    const origin = validateDate('the histogram origin', intervals.origin);
    if (!origin) throw new InvalidArgumentError('the histogram needs an origin');
    return this.backend.instanceHistogram(this.hub, { ...toQuery(filter), origin: origin.getTime(), intervalMs: intervals.intervalMs });
  }

  /** (beyond DF) The task hubs of this client's store that hold an instance. */
  async listTaskHubs(): Promise<string[]> {
    return this.backend.listHubs();
  }

  /** (beyond DF) The store's hints that instances of this hub changed; returns the unsubscribe function. */
  subscribe(listener: (signal: WorkSignal) => void): () => void {
    return this.backend.subscribe(this.hub, listener);
  }

  /** S-TERM-1/2: queues a termination; `recursive` also terminates every sub-orchestration below. */
  async terminate(instanceId: string, reason?: string, options: { recursive?: boolean } = {}): Promise<void> {
    const event: InboxEvent = {
      type: 'ExecutionTerminated',
      eventId: -1,
      timestamp: new Date().toISOString(),
      reason: optionalReason(reason),
      ...(options.recursive ? { recursive: true } : {}),
    };
    await this.send(instanceId, event, OPERATIONS.terminate);
  }

  /** S-EVENT-1: unknown instance → InstanceNotFoundError; finished → InstanceFinishedError. */
  async raiseEvent(instanceId: string, eventName: string, eventData?: unknown): Promise<void> {
    validateName('an event name', eventName);
    const input = toJson(eventData, `the data of event '${eventName}'`, this.maxPayloadBytes);
    const event: InboxEvent = { type: 'EventRaised', eventId: -1, timestamp: new Date().toISOString(), name: eventName, input };
    await this.send(instanceId, event, OPERATIONS.raiseEvent);
  }

  /** S-SUSPEND-1: queued for any unfinished instance; a Suspended one stays so (why: its row in operations.ts). */
  async suspend(instanceId: string, reason?: string): Promise<void> {
    const event: InboxEvent = { type: 'ExecutionSuspended', eventId: -1, timestamp: new Date().toISOString(), reason: optionalReason(reason) };
    await this.send(instanceId, event, OPERATIONS.suspend);
  }

  /**
   * S-SUSPEND-1: queued for any unfinished instance, behind what is queued before it (a suspension queued
   * for a Pending instance's start, say); one that is not suspended is left as it is.
   */
  async resume(instanceId: string, reason?: string): Promise<void> {
    const event: InboxEvent = { type: 'ExecutionResumed', eventId: -1, timestamp: new Date().toISOString(), reason: optionalReason(reason) };
    await this.send(instanceId, event, OPERATIONS.resume);
  }

  /** S-REWIND-1: only Failed instances; failed work runs again, completed work is kept. */
  async rewind(instanceId: string, reason?: string): Promise<void> {
    const event: InboxEvent = { type: 'ExecutionRewound', eventId: -1, timestamp: new Date().toISOString(), reason: optionalReason(reason) };
    await this.send(instanceId, event, OPERATIONS.rewind);
  }

  /** S-RESTART-1: the same orchestrator with the same input; returns the (new) instance id. */
  async restart(instanceId: string, options: { restartWithNewInstanceId?: boolean } = {}): Promise<string> {
    validateInstanceId(instanceId);
    const record = await this.backend.getInstance(this.hub, instanceId, { includeInput: true });
    if (!record) throw new InstanceNotFoundError(instanceId);
    const restartWithNewInstanceId = options.restartWithNewInstanceId ?? true;
    if (!restartWithNewInstanceId && !isAllowed(OPERATIONS.restart, record.status)) throw refusal(OPERATIONS.restart, instanceId, record.status);
    const input = record.input === undefined ? undefined : (JSON.parse(record.input) as unknown);
    return this.startNew(record.name, { input, instanceId: restartWithNewInstanceId ? undefined : instanceId, tags: record.tags });
  }

  /** S-PURGE-1: deletes a finished instance and all its data. */
  async purgeInstanceHistory(instanceId: string): Promise<{ instancesDeleted: number }> {
    validateInstanceId(instanceId);
    const outcome = await this.backend.purgeInstance(this.hub, instanceId);
    if (outcome.purged) return { instancesDeleted: 1 };
    if (outcome.reason === 'not-found') throw new InstanceNotFoundError(instanceId);
    throw refusal(OPERATIONS.purge, instanceId, outcome.status);
  }

  /** S-PURGE-2: every matching finished instance, in bounded batches. */
  async purgeInstanceHistoryBy(filter: PurgeFilter = {}): Promise<{ instancesDeleted: number }> {
    const requested = validateRuntimeStatuses(filter.runtimeStatus);
    const purgeable = OPERATIONS.purge.allowedFrom;
    const statuses = requested?.length ? requested : [...purgeable];
    const refused = statuses.filter((status) => !isAllowed(OPERATIONS.purge, status));
    if (refused.length > 0) throw new InvalidArgumentError(`only ${statesText(purgeable)} instances can be purged, not ${refused.join(', ')}`);
    const query = toQuery({ ...filter, runtimeStatus: statuses });
    return { instancesDeleted: await this.backend.purgeInstances(this.hub, query, PURGE_BATCH_SIZE) };
  }

  /**
   * (beyond DF) Applies an operation to every instance matching the filter, as a durable job a worker runs;
   * with `dryRun`, only answers how many match (docs/instance-management.md, "Batch jobs").
   */
  async startBatch(request: BatchRequest & { dryRun: true }): Promise<{ matched: number }>;
  async startBatch(request: BatchRequest): Promise<BatchJob>;
  async startBatch(request: BatchRequest): Promise<{ matched: number } | BatchJob> {
    return startBatch(this, request);
  }

  /** (beyond DF) A batch job's state and counts; InstanceNotFoundError when there is none. */
  async getBatch(id: string): Promise<BatchJob> {
    return getBatch(this, id);
  }

  /** (beyond DF) Every batch job of the hub. */
  async listBatches(): Promise<BatchJob[]> {
    return listBatches(this);
  }

  /** (beyond DF) Stops a batch job after the chunk in hand. */
  async cancelBatch(id: string): Promise<BatchJob> {
    return cancelBatch(this, id);
  }

  /** (beyond DF) The hub's retention policy and what its last run purged. */
  async getRetention(): Promise<RetentionView> {
    return getRetention(this);
  }

  /** (beyond DF) Sets the hub's retention policy; a worker applies it continuously. */
  async setRetention(policy: RetentionPolicy): Promise<RetentionView> {
    return setRetention(this, policy);
  }

  /** S-HUB-1: removes exactly this hub's data; false when it had none. */
  async deleteTaskHub(): Promise<boolean> {
    return this.backend.deleteHub(this.hub);
  }

  /**
   * Waits until the instance is Completed, Failed or Terminated and returns its status; throws
   * WaitTimeoutError after the timeout. Wakes on the store's "finished" signal and polls as well.
   */
  async waitForCompletion(instanceId: string, options: WaitOptions & GetStatusOptions = {}): Promise<OrchestrationStatus> {
    const timeoutMs = options.timeoutInMilliseconds ?? 60_000;
    const record = await waitForFinish({
      backend: this.backend,
      hub: this.hub,
      instanceId: validateInstanceId(instanceId),
      timeoutMs,
      pollIntervalMs: options.retryIntervalInMilliseconds ?? 1000,
      includeInput: options.showInput ?? true,
      signal: options.signal,
    });
    if (!record) {
      options.signal?.throwIfAborted();
      throw new WaitTimeoutError(instanceId, timeoutMs);
    }
    return this.statusOf(record, options);
  }

  /** S-PAYLOAD-1 */
  createHttpManagementPayload(instanceId: string, request: RequestLike): HttpManagementPayload {
    return createHttpManagementPayload(requestOrigin(request), instanceId, this.urlOptions());
  }

  /** S-PAYLOAD-1: 202, the management payload, `Location` and `Retry-After: 10`. */
  createCheckStatusResponse(request: RequestLike, instanceId: string): HttpResponseInit {
    return createCheckStatusResponse(request, instanceId, this.urlOptions());
  }

  /**
   * S-WAIT-1: finished in time → 200 with the output (Failed: 500 with the status; Terminated: 200 with the
   * status); otherwise the 202 check-status response.
   */
  async waitForCompletionOrCreateCheckStatusResponse(request: RequestLike, instanceId: string, options: WaitOptions = {}): Promise<HttpResponseInit> {
    const timeoutMs = options.timeoutInMilliseconds ?? 10_000;
    const intervalMs = options.retryIntervalInMilliseconds ?? 1000;
    if (!(timeoutMs >= 0) || !(intervalMs > 0)) throw new InvalidArgumentError('the timeout must be 0 or more and the retry interval more than 0');
    if (intervalMs > timeoutMs) {
      throw new InvalidArgumentError(`the retry interval (${intervalMs} ms) must not be longer than the timeout (${timeoutMs} ms)`);
    }
    const record = await waitForFinish({
      backend: this.backend,
      hub: this.hub,
      instanceId: validateInstanceId(instanceId),
      timeoutMs,
      pollIntervalMs: intervalMs,
      includeInput: true,
      signal: options.signal,
    });
    const json = { 'Content-Type': 'application/json; charset=utf-8' };
    if (!record) return this.createCheckStatusResponse(request, instanceId);
    const status = await this.statusOf(record, {});
    if (status.runtimeStatus === 'Completed') return { status: 200, headers: json, body: status.output };
    if (status.runtimeStatus === 'Failed') return { status: 500, headers: json, body: toStatusJson(status) };
    return { status: 200, headers: json, body: toStatusJson(status) };
  }

  private async statusOf(record: InstanceRecord, options: GetStatusOptions): Promise<OrchestrationStatus> {
    const history = options.showHistory ? await this.readWholeHistory(record.instanceId) : undefined;
    return toOrchestrationStatus(record, { showInput: options.showInput ?? true, showHistoryOutput: options.showHistoryOutput }, history);
  }

  private urlOptions() {
    return { hub: this.hub, connection: this.connectionName, embeddedApiKey: this.embeddedApiKey };
  }

  private async send(instanceId: string, event: InboxEvent, operation: ManagementOperation): Promise<void> {
    validateInstanceId(instanceId);
    const outcome = await this.backend.sendMessage(this.hub, { instanceId, event }, operation.allowedFrom);
    if (outcome.sent) return;
    if (outcome.reason === 'not-found') throw new InstanceNotFoundError(instanceId);
    throw refusal(operation, instanceId, outcome.status);
  }

  /** One query for the whole history: every event is held in memory for the view anyway, and pages of 5,000
   *  cost a round trip each plus an empty one at each multiple (docs/benchmarks.md, "Instance management"). */
  private async readWholeHistory(instanceId: string): Promise<HistoryEvent[]> {
    return (await this.backend.getHistory(this.hub, instanceId)).map((record) => record.event);
  }
}

function optionalReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string') throw new InvalidArgumentError('a reason must be a string');
  return reason;
}

/** S-START-2: 32 lowercase hex characters. */
export function newInstanceId(): string {
  return randomBytes(16).toString('hex');
}

function newExecutionId(): string {
  return randomUUID().replaceAll('-', '');
}
