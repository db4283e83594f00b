/**
 * taskhub's own orchestrations, registered in every worker under names and ids users cannot take
 * (RESERVED_NAME_PREFIX, refused by the Registry and at start): a batch job is one of them, and so is retention (retention.ts) (docs/adr/0026-batch-jobs-as-built-in-orchestrations.md),
 * so it is as durable as any instance: a worker killed mid-way leaves it to the next.
 */
import type { ActivityFunction } from '../authoring/definitions.js';
import type { Backend, InstanceQuery } from '../backend/backend.js';
import type { OrchestrationContext, OrchestratorFunction } from '../core/context.js';
import { createHash } from 'node:crypto';
import type { InboxEvent } from '../core/history.js';
import { TaskHubClient } from '../client/client.js';
import { OPERATIONS, refusal } from '../client/operations.js';
import { toJson } from '../core/serialize.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { RESERVED_NAME_PREFIX } from '../core/names.js';
import { RETENTION_ORCHESTRATOR, retentionActivities, retentionOrchestrator } from './retention.js';
import { InstanceExistsError, InstanceNotFoundError, TaskHubError } from '../errors.js';
import { sleep } from './wakeup.js';


export const BATCH_ORCHESTRATOR = 'taskhub.batch';
export const BATCH_ID_PREFIX = 'taskhub.batch.';
const LIST_ACTIVITY = 'taskhub.batch.list';
const APPLY_ACTIVITY = 'taskhub.batch.apply';

export const BATCH_OPERATIONS = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'raiseEvent', 'purge'] as const;
export type BatchOperation = (typeof BATCH_OPERATIONS)[number];

/** At most this many per-instance failures are kept in a job's status. */
export const FAILURE_SAMPLE_SIZE = 20;
/** Chunks per execution before continueAsNew, so a job's history stays bounded whatever it matches. */
const CHUNKS_PER_EXECUTION = 10;
/**
 * A queued operation's chunk is delivered in slices of this many, paced at the job's rate by the apply
 * itself, so the worker gets the chunk's steps spread over the chunk's share of time rather than all at
 * once, and each delivery holds the store's locks for a slice: with the chunk delivered at once, other
 * orchestrations' p95 latency was 9× idle on SQLite at 1,000,000 instances (docs/benchmarks.md, "Batch jobs
 * and retention at scale").
 */
const DELIVERY_SLICE = 100;
/** A chunk that takes longer than this at the job's rate is delivered at once and paced by a durable timer
 *  of the job, not by a sleep in an activity. */
const MAX_PACED_CHUNK_MS = 1000;

export interface BatchFailure {
  instanceId: string;
  error: string;
}

/** A job's input, carried through continueAsNew, and (with its counts) its custom status and output. */
export interface BatchJobState {
  operation: BatchOperation;
  query: InstanceQuery;
  reason?: string;
  eventName?: string;
  eventData?: unknown;
  chunkSize: number;
  /** Instances per second at most. */
  ratePerSecond: number;
  /** Counted when the job was started. */
  matched: number;
  done: number;
  failed: number;
  failures: BatchFailure[];
  createdAt: string;
  /** Where the next page starts; absent before the first. */
  continuationToken?: string;
}

interface ListResult {
  instanceIds: string[];
  continuationToken?: string;
}

type QueuedOperation = Exclude<BatchOperation, 'restart' | 'purge'>;

interface ApplyInput {
  /** The key of its deliveries and the seed of its restarts' ids: what makes a redone chunk act once. */
  jobId: string;
  operation: BatchOperation;
  instanceIds: string[];
  reason?: string;
  eventName?: string;
  eventData?: unknown;
  /** The job's rate, for an apply that paces its deliveries itself; absent in jobs started before. */
  ratePerSecond?: number;
}

interface ApplyResult {
  done: number;
  failed: number;
  failures: BatchFailure[];
  /** The apply took the chunk's share of time at the job's rate: no timer follows it. */
  paced?: boolean;
}

const batchJob: OrchestratorFunction<BatchJobState> = function* (context: OrchestrationContext, input: BatchJobState) {
  let state = input;
  for (let chunk = 0; chunk < CHUNKS_PER_EXECUTION; chunk++) {
    // The page is listed by one activity and acted on by another, so an apply redone after a crash acts on
    // the same ids, and what an earlier attempt already did is counted as done, not done again (applyChunk).
    const page = (yield context.callActivity(LIST_ACTIVITY, {
      query: state.query,
      continuationToken: state.continuationToken,
      pageSize: state.chunkSize,
    })) as ListResult;
    let paced = false;
    if (page.instanceIds.length > 0) {
      const applied = (yield context.callActivity(APPLY_ACTIVITY, {
        jobId: context.instanceId,
        operation: state.operation,
        instanceIds: page.instanceIds,
        reason: state.reason,
        eventName: state.eventName,
        eventData: state.eventData,
        ratePerSecond: state.ratePerSecond,
      } satisfies ApplyInput)) as ApplyResult;
      paced = applied.paced === true;
      state = {
        ...state,
        done: state.done + applied.done,
        failed: state.failed + applied.failed,
        failures: [...state.failures, ...applied.failures].slice(0, FAILURE_SAMPLE_SIZE),
      };
    }
    const { continuationToken: _, ...rest } = state;
    state = page.continuationToken ? { ...rest, continuationToken: page.continuationToken } : rest;
    context.setCustomStatus(progressOf(state));
    if (!page.continuationToken) return progressOf(state);
    const pauseMs = Math.ceil((page.instanceIds.length / state.ratePerSecond) * 1000);
    if (pauseMs > 0 && !paced) yield context.createTimer(new Date(context.currentUtcDateTime.getTime() + pauseMs));
  }
  context.continueAsNew(state);
  return undefined;
};

/** What a job shows of itself: everything but its paging position. */
export function progressOf(state: BatchJobState): Omit<BatchJobState, 'continuationToken'> {
  const { continuationToken: _, ...progress } = state;
  return progress;
}

export interface BuiltIns {
  getOrchestrator(name: string): OrchestratorFunction | undefined;
  getActivity(name: string): ActivityFunction | undefined;
}

/** The built-in orchestrations of one worker, acting on its hub through its store. */
export function builtIns(backend: Backend, hub: string): BuiltIns {
  const client = new TaskHubClient({ backend, hub });
  const orchestrators = new Map<string, OrchestratorFunction>([
    [BATCH_ORCHESTRATOR, batchJob],
    [RETENTION_ORCHESTRATOR, retentionOrchestrator],
  ]);
  const activities = new Map<string, ActivityFunction>([
    [LIST_ACTIVITY, (input) => listPage(backend, hub, input as { query: InstanceQuery; continuationToken?: string; pageSize: number })],
    [APPLY_ACTIVITY, (input) => applyToAll(backend, client, input as ApplyInput)],
    ...retentionActivities(backend, hub),
  ]);
  return { getOrchestrator: (name) => orchestrators.get(name), getActivity: (name) => activities.get(name) };
}

async function listPage(backend: Backend, hub: string, input: { query: InstanceQuery; continuationToken?: string; pageSize: number }): Promise<ListResult> {
  const page = await backend.listInstances(hub, { ...input.query, pageSize: input.pageSize, continuationToken: input.continuationToken, includeInput: false });
  return {
    instanceIds: page.instances.map((record) => record.instanceId).filter((id) => !id.startsWith(RESERVED_NAME_PREFIX)),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}

async function applyToAll(backend: Backend, client: TaskHubClient, input: ApplyInput): Promise<ApplyResult> {
  const result: ApplyResult = { done: 0, failed: 0, failures: [] };
  const { errors, paced } = await applyChunk(backend, client, input);
  if (paced) result.paced = true;
  input.instanceIds.forEach((instanceId, index) => {
    const error = errors[index];
    if (error === undefined) {
      result.done++;
    } else {
      result.failed++;
      if (result.failures.length < FAILURE_SAMPLE_SIZE) result.failures.push({ instanceId, error });
    }
  });
  return result;
}

/**
 * Per instance, in order: undefined when the operation was applied (by this attempt of the chunk or an
 * earlier one), else why not. A queued operation is one keyed delivery for the whole chunk: the job's id is
 * the key, so a chunk redone after a crash delivers nothing twice (docs/adr/0031-batch-operations-exactly-once.md).
 */
async function applyChunk(backend: Backend, client: TaskHubClient, input: ApplyInput): Promise<{ errors: (string | undefined)[]; paced: boolean }> {
  const name = input.operation;
  if (name === 'restart') return { errors: await eachInstance(input.instanceIds, (instanceId) => restartOnce(client, input.jobId, instanceId)), paced: false };
  if (name === 'purge') return { errors: await eachInstance(input.instanceIds, (instanceId) => purgeOnce(client, instanceId)), paced: false };
  const operation = OPERATIONS[name];
  const event = queuedEvent(name, input);
  const rate = input.ratePerSecond;
  const paced = rate !== undefined && (input.instanceIds.length / rate) * 1000 < MAX_PACED_CHUNK_MS;
  const sliceSize = paced ? DELIVERY_SLICE : input.instanceIds.length;
  const errors: (string | undefined)[] = [];
  for (let first = 0; first < input.instanceIds.length; first += sliceSize) {
    const sliceStarted = Date.now();
    const slice = input.instanceIds.slice(first, first + sliceSize);
    const outcomes = await backend.sendMessagesOnce(client.hub, slice.map((instanceId) => ({ instanceId, event })), operation.allowedFrom, input.jobId);
    outcomes.forEach((outcome, index) => {
      const instanceId = slice[index]!;
      if (outcome.sent || outcome.reason === 'duplicate') errors.push(undefined);
      else errors.push(outcome.reason === 'not-found' ? new InstanceNotFoundError(instanceId).message : refusal(operation, instanceId, outcome.status).message);
    });
    // The slice's share of time at the job's rate, less what its delivery took.
    if (paced) await sleep((slice.length / rate) * 1000 - (Date.now() - sliceStarted));
  }
  return { errors, paced };
}

function queuedEvent(operation: QueuedOperation, input: ApplyInput): InboxEvent {
  const timestamp = new Date().toISOString();
  const reason = input.reason;
  switch (operation) {
    case 'terminate':
      return { type: 'ExecutionTerminated', eventId: -1, timestamp, reason };
    case 'suspend':
      return { type: 'ExecutionSuspended', eventId: -1, timestamp, reason };
    case 'resume':
      return { type: 'ExecutionResumed', eventId: -1, timestamp, reason };
    case 'rewind':
      return { type: 'ExecutionRewound', eventId: -1, timestamp, reason };
    case 'raiseEvent': {
      const name = input.eventName ?? '';
      return { type: 'EventRaised', eventId: -1, timestamp, name, input: toJson(input.eventData, `the data of event '${name}'`, DEFAULT_MAX_PAYLOAD_BYTES) };
    }
  }
}

async function eachInstance(instanceIds: string[], apply: (instanceId: string) => Promise<void>): Promise<(string | undefined)[]> {
  const errors: (string | undefined)[] = [];
  for (const instanceId of instanceIds) {
    try {
      await apply(instanceId);
      errors.push(undefined);
    } catch (error) {
      // Store errors are not the instance's: the activity fails and the engine runs it again.
      if (!(error instanceof TaskHubError)) throw error;
      errors.push(error.message);
    }
  }
  return errors;
}

/**
 * The restart's instance id is derived from the job and the instance, so a redone chunk finds the
 * restart it already made (unfinished: refused as existing; finished: found) and makes none.
 */
async function restartOnce(client: TaskHubClient, jobId: string, instanceId: string): Promise<void> {
  const restartId = createHash('sha256').update(`${jobId}\n${instanceId}`).digest('hex').slice(0, 32);
  if (await client.backend.getInstance(client.hub, restartId, { includeInput: false })) return;
  const record = await client.backend.getInstance(client.hub, instanceId, { includeInput: true });
  if (!record) throw new InstanceNotFoundError(instanceId);
  const input = record.input === undefined ? undefined : (JSON.parse(record.input) as unknown);
  try {
    await client.startNew(record.name, { input, instanceId: restartId, tags: record.tags });
  } catch (error) {
    if (!(error instanceof InstanceExistsError)) throw error;
  }
}

/** A purge of an instance already gone is one an earlier attempt made. */
async function purgeOnce(client: TaskHubClient, instanceId: string): Promise<void> {
  try {
    await client.purgeInstanceHistory(instanceId);
  } catch (error) {
    if (!(error instanceof InstanceNotFoundError)) throw error;
  }
}
