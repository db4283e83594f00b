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
}

interface ApplyResult {
  done: number;
  failed: number;
  failures: BatchFailure[];
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
    if (page.instanceIds.length > 0) {
      const applied = (yield context.callActivity(APPLY_ACTIVITY, {
        jobId: context.instanceId,
        operation: state.operation,
        instanceIds: page.instanceIds,
        reason: state.reason,
        eventName: state.eventName,
        eventData: state.eventData,
      } satisfies ApplyInput)) as ApplyResult;
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
    if (pauseMs > 0) yield context.createTimer(new Date(context.currentUtcDateTime.getTime() + pauseMs));
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
  const errors = await applyChunk(backend, client, input);
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
async function applyChunk(backend: Backend, client: TaskHubClient, input: ApplyInput): Promise<(string | undefined)[]> {
  const name = input.operation;
  if (name === 'restart') return eachInstance(input.instanceIds, (instanceId) => restartOnce(client, input.jobId, instanceId));
  if (name === 'purge') return eachInstance(input.instanceIds, (instanceId) => purgeOnce(client, instanceId));
  const operation = OPERATIONS[name];
  const event = queuedEvent(name, input);
  const messages = input.instanceIds.map((instanceId) => ({ instanceId, event }));
  const outcomes = await backend.sendMessagesOnce(client.hub, messages, operation.allowedFrom, input.jobId);
  return outcomes.map((outcome, index) => {
    if (outcome.sent || outcome.reason === 'duplicate') return undefined;
    const instanceId = input.instanceIds[index]!;
    return outcome.reason === 'not-found' ? new InstanceNotFoundError(instanceId).message : refusal(operation, instanceId, outcome.status).message;
  });
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
