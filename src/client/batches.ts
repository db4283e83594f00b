/**
 * Batch jobs by query: one operation applied to every instance matching a filter, as a built-in
 * orchestration a worker runs (src/runtime/built-in-orchestrators.ts; docs/adr/0026-batch-jobs-as-built-in-orchestrations.md).
 * Starting one checks everything first, so a bad filter or operation starts nothing.
 */
import { randomUUID } from 'node:crypto';
import type { InstanceQuery } from '../backend/backend.js';
import type { InboxEvent, RuntimeStatus } from '../core/history.js';
import { RESERVED_NAME_PREFIX } from '../core/names.js';
import { toJson } from '../core/serialize.js';
import { InstanceNotFoundError, InvalidArgumentError } from '../errors.js';
import {
  BATCH_ID_PREFIX,
  BATCH_OPERATIONS,
  BATCH_ORCHESTRATOR,
  type BatchFailure,
  type BatchJobState,
  type BatchOperation,
} from '../runtime/built-in-orchestrators.js';
import type { TaskHubClient } from './client.js';
import { toQuery, type InstanceFilter } from './options.js';
import type { OrchestrationStatus } from './status-view.js';
import { validateName } from './validation.js';

export { BATCH_OPERATIONS, type BatchFailure, type BatchOperation };

/** The instances a batch acts on: the list's filter (so every filter of the list applies). */
export type BatchFilter = InstanceFilter;

export interface BatchRequest {
  operation: BatchOperation;
  filter?: BatchFilter;
  /** For terminate, suspend, resume and rewind. */
  reason?: string;
  /** For raiseEvent (required there). */
  eventName?: string;
  eventData?: unknown;
  /** Answer how many instances match, and start nothing. */
  dryRun?: boolean;
  /** Instances acted on per chunk (default 1000, 1 to 1000). */
  chunkSize?: number;
  /** At most this many instances a second (default 2000), so running work is not starved. */
  ratePerSecond?: number;
}

export type BatchState = 'running' | 'completed' | 'cancelled' | 'failed' | 'suspended';

export interface BatchJob {
  id: string;
  operation: BatchOperation;
  state: BatchState;
  /** How many instances matched when the job started (the job also acts on any that match later, as its pages reach them). */
  matched: number;
  done: number;
  failed: number;
  /** The first per-instance failures (at most FAILURE_SAMPLE_SIZE). */
  failures: BatchFailure[];
  createdAt: string;
  lastUpdatedAt: string;
}

// Measured (docs/benchmarks.md, "Batch jobs and retention at scale"): a job's own steps, not the rate, bound
// it with small chunks (110 instances a second on PostgreSQL with chunks of 100), so a chunk is as large as allowed.
const DEFAULT_CHUNK_SIZE = 1000;
const MAX_CHUNK_SIZE = 1000;
const DEFAULT_RATE_PER_SECOND = 2000;

export async function startBatch(client: TaskHubClient, request: BatchRequest): Promise<{ matched: number } | BatchJob> {
  const state = await validRequest(client, request);
  if (request.dryRun) return { matched: state.matched };
  const id = `${BATCH_ID_PREFIX}${randomUUID().replaceAll('-', '')}`;
  const input = toJson(state, 'the batch job', Number.MAX_SAFE_INTEGER);
  const executionId = randomUUID().replaceAll('-', '');
  const startEvent: InboxEvent = { type: 'ExecutionStarted', eventId: -1, timestamp: state.createdAt, name: BATCH_ORCHESTRATOR, executionId, input };
  await client.backend.createInstance(client.hub, { instanceId: id, executionId, name: BATCH_ORCHESTRATOR, input, startEvent });
  return getBatch(client, id);
}

export async function getBatch(client: TaskHubClient, id: string): Promise<BatchJob> {
  const status = id.startsWith(BATCH_ID_PREFIX) ? await client.getStatus(id, { showInput: true }) : undefined;
  if (!status || status.name !== BATCH_ORCHESTRATOR) throw new InstanceNotFoundError(id);
  return toBatchJob(status);
}

/** Every batch job of the hub, oldest first. */
export async function listBatches(client: TaskHubClient): Promise<BatchJob[]> {
  const jobs: BatchJob[] = [];
  for await (const status of client.listAllInstances({ instanceIdPrefix: BATCH_ID_PREFIX, name: BATCH_ORCHESTRATOR, showInput: true })) {
    jobs.push(toBatchJob(status));
  }
  return jobs;
}

/** Terminates the job: the chunk in hand may still be applied, no further one is. */
export async function cancelBatch(client: TaskHubClient, id: string): Promise<BatchJob> {
  const job = await getBatch(client, id);
  if (job.state === 'running' || job.state === 'suspended') await client.terminate(id, 'batch job cancelled');
  return getBatch(client, id);
}

async function validRequest(client: TaskHubClient, request: BatchRequest): Promise<BatchJobState> {
  if (typeof request !== 'object' || request === null) throw new InvalidArgumentError('a batch needs an operation and a filter');
  const operation = request.operation;
  if (!BATCH_OPERATIONS.includes(operation)) {
    throw new InvalidArgumentError(`unknown batch operation '${String(operation)}'; use one of ${BATCH_OPERATIONS.join(', ')}`);
  }
  if (operation === 'raiseEvent') validateName('an event name', request.eventName);
  else if (request.eventName !== undefined || request.eventData !== undefined) {
    throw new InvalidArgumentError(`eventName and eventData are for raiseEvent only, not ${operation}`);
  }
  if (request.reason !== undefined && typeof request.reason !== 'string') throw new InvalidArgumentError('a reason must be a string');
  const filter = request.filter ?? {};
  const query = await restartsExcluded(client, operation, toQuery(filter));
  const matched = (await countAll(client, filter)) - (await countJobs(client, filter));
  return {
    operation,
    query,
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    ...(operation === 'raiseEvent' ? { eventName: request.eventName, eventData: request.eventData } : {}),
    chunkSize: wholeNumber('chunkSize', request.chunkSize ?? DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE),
    ratePerSecond: wholeNumber('ratePerSecond', request.ratePerSecond ?? DEFAULT_RATE_PER_SECOND, 1_000_000),
    matched,
    done: 0,
    failed: 0,
    failures: [],
    createdAt: new Date().toISOString(),
  };
}

/**
 * A restart acts only on instances created before the job started: the instances it starts would match
 * the same filter further on in its pages, and be restarted in turn.
 */
async function restartsExcluded(client: TaskHubClient, operation: BatchOperation, query: InstanceQuery): Promise<InstanceQuery> {
  if (operation !== 'restart') return query;
  const now = await client.backend.now();
  return { ...query, createdTo: Math.min(query.createdTo ?? now, now) };
}

async function countAll(client: TaskHubClient, filter: BatchFilter): Promise<number> {
  return Object.values(await client.countInstances(filter)).reduce((sum, count) => sum + count, 0);
}

/** taskhub's own jobs the filter matches: a batch passes them over, so they are not counted as matched. */
async function countJobs(client: TaskHubClient, filter: BatchFilter): Promise<number> {
  const prefix = filter.instanceIdPrefix;
  if (!prefix || RESERVED_NAME_PREFIX.startsWith(prefix)) return countAll(client, { ...filter, instanceIdPrefix: RESERVED_NAME_PREFIX });
  return prefix.startsWith(RESERVED_NAME_PREFIX) ? countAll(client, filter) : 0;
}

function wholeNumber(what: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max} (got ${String(value)})`);
  return value;
}

const STATES: Record<RuntimeStatus, BatchState> = {
  Pending: 'running',
  Running: 'running',
  Suspended: 'suspended',
  Completed: 'completed',
  Failed: 'failed',
  Terminated: 'cancelled',
  ContinuedAsNew: 'running',
};

function toBatchJob(status: OrchestrationStatus): BatchJob {
  // The latest counts: the output once completed, else the custom status of the last chunk, else the input.
  const progress = (status.runtimeStatus === 'Completed' ? status.output : (status.customStatus ?? status.input)) as BatchJobState;
  return {
    id: status.instanceId,
    operation: progress.operation,
    state: STATES[status.runtimeStatus],
    matched: progress.matched,
    done: progress.done,
    failed: progress.failed,
    failures: progress.failures,
    createdAt: progress.createdAt,
    lastUpdatedAt: status.lastUpdatedTime,
  };
}
