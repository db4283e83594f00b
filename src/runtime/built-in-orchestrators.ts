/**
 * taskhub's own orchestrations, registered in every worker under names and ids users cannot take
 * (RESERVED_NAME_PREFIX, refused by the Registry and at start): a batch job is one of them, and so is retention (retention.ts) (docs/adr/0026-batch-jobs-as-built-in-orchestrations.md),
 * so it is as durable as any instance: a worker killed mid-way leaves it to the next.
 */
import type { ActivityFunction } from '../authoring/definitions.js';
import type { Backend, InstanceQuery } from '../backend/backend.js';
import type { OrchestrationContext, OrchestratorFunction } from '../core/context.js';
import type { RuntimeStatus } from '../core/history.js';
import { TaskHubClient } from '../client/client.js';
import { RESERVED_NAME_PREFIX } from '../core/names.js';
import { RETENTION_ORCHESTRATOR, retentionActivities, retentionOrchestrator } from './retention.js';
import { InstanceFinishedError, InstanceNotFoundError, TaskHubError, WrongStateError } from '../errors.js';


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

interface ApplyInput {
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
    // the same ids, and what an earlier attempt already did is counted as done (outcomeOf).
    const page = (yield context.callActivity(LIST_ACTIVITY, {
      query: state.query,
      continuationToken: state.continuationToken,
      pageSize: state.chunkSize,
    })) as ListResult;
    if (page.instanceIds.length > 0) {
      const applied = (yield context.callActivity(APPLY_ACTIVITY, {
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
    [APPLY_ACTIVITY, (input) => applyToAll(client, input as ApplyInput)],
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

async function applyToAll(client: TaskHubClient, input: ApplyInput): Promise<ApplyResult> {
  const result: ApplyResult = { done: 0, failed: 0, failures: [] };
  for (const instanceId of input.instanceIds) {
    const error = await applyOne(client, input, instanceId);
    if (error === undefined) {
      result.done++;
    } else {
      result.failed++;
      if (result.failures.length < FAILURE_SAMPLE_SIZE) result.failures.push({ instanceId, error });
    }
  }
  return result;
}

/** Undefined when the operation was applied (or had been, by an earlier attempt of this chunk); else why not. */
async function applyOne(client: TaskHubClient, input: ApplyInput, instanceId: string): Promise<string | undefined> {
  try {
    await operate(client, input, instanceId);
    return undefined;
  } catch (error) {
    if (alreadyDone(input.operation, error)) return undefined;
    // Store errors are not the instance's: the activity fails and the engine runs it again.
    if (!(error instanceof TaskHubError)) throw error;
    return error.message;
  }
}

function operate(client: TaskHubClient, input: ApplyInput, instanceId: string): Promise<unknown> {
  switch (input.operation) {
    case 'terminate':
      return client.terminate(instanceId, input.reason);
    case 'suspend':
      return client.suspend(instanceId, input.reason);
    case 'resume':
      return client.resume(instanceId, input.reason);
    case 'rewind':
      return client.rewind(instanceId, input.reason);
    case 'restart':
      return client.restart(instanceId);
    case 'raiseEvent':
      return client.raiseEvent(instanceId, input.eventName ?? '', input.eventData);
    case 'purge':
      return client.purgeInstanceHistory(instanceId);
  }
}

/** The refusals that mean an earlier attempt of the same chunk got there first. */
function alreadyDone(operation: BatchOperation, error: unknown): boolean {
  const status: RuntimeStatus | undefined = error instanceof InstanceFinishedError || error instanceof WrongStateError ? error.status : undefined;
  if (operation === 'terminate') return status === 'Terminated';
  if (operation === 'purge') return error instanceof InstanceNotFoundError;
  // The queued operations leave no trace a redo could tell from another's (docs/adr/0026-batch-jobs-as-built-in-orchestrations.md).
  return false;
}
