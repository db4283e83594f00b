/**
 * Commits orchestration steps: a group-committed batch of them is one call of the server function
 * commit_steps (sql/commit.sql), one round trip and one transaction, whatever the steps write. Each step is
 * fenced on its own: it is written only while its lease holds, and releases it. Every instance the batch
 * writes to is locked first, in id order. A step whose ops write only to its own instance, in an order
 * that allows it, goes folded, so that a batch of such steps is written set-wise; any other goes as its
 * ops, which the server applies one after the other.
 */
import { isFinished } from '../../core/history.js';
import type {
  ActivityWorkItem,
  ClaimOptions,
  CommitOp,
  NewActivityTask,
  OrchestrationCommit,
  OrchestrationWorkItem,
  StepCommitOutcome,
} from '../backend.js';
import { commitSignals, writesOnlyItself } from '../step-commit.js';
import { named, type PostgresStore } from './connection.js';
import { encodeCreateRequest, encodeMessage, type EncodedCreateRequest, type EncodedMessage } from './delivery.js';
import { isRowId } from './rows.js';
import { encodeSignal } from './signals.js';

/** What the worker hands to the group commit: one step. */
export interface StepToCommit {
  item: OrchestrationWorkItem;
  commit: OrchestrationCommit;
}

/** A step as commit_steps takes it (its comment in sql/commit.sql describes every field). */
interface EncodedStep {
  idx: number;
  instance_id: string;
  lock_token: string;
  status: string;
  execution_id: string | null;
  set_input: boolean;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  finished: boolean;
  unchanged: boolean;
  first_sequence: number;
  signals: string[];
  set_wise: boolean;
}

/** A set-wise step: its ops folded into what write_steps writes at once. */
interface SetWiseStep extends EncodedStep {
  set_wise: true;
  events: string[];
  consumed: string[];
  delete_all: boolean;
  drop_tasks: boolean;
  tasks: EncodedTask[];
  lease_worker: string | null;
  lease_ms: number | null;
  lease_max: number | null;
  messages: EncodedMessage[];
}

interface OpStep extends EncodedStep {
  set_wise: false;
  ops: EncodedOp[];
}

interface EncodedTask { task_id: number; name: string; input: string | null }

interface EncodedLease { lease_worker: string | null; lease_ms: number | null; lease_max: number | null }

type EncodedOp =
  | { op: 'append_history' | 'replace_history'; events: string[] }
  | { op: 'delete_messages'; ids: string[] }
  | { op: 'delete_all_messages' | 'drop_unleased_tasks' | 'requeue_messages' }
  | ({ op: 'insert_tasks'; tasks: EncodedTask[] } & EncodedLease)
  | { op: 'create_instance'; request: EncodedCreateRequest; on_conflict: EncodedMessage }
  | { op: 'deliver_message'; message: EncodedMessage }
  | { op: 'set_tags'; set: Record<string, string>; remove: string[] };

/** A task commit_steps leased to the committing worker. */
export interface LeasedTask {
  id: string;
  task_id: number;
  lock_token: string;
}

export async function commitSteps(store: PostgresStore, hub: string, steps: readonly StepToCommit[]): Promise<StepCommitOutcome[]> {
  const encoded = steps.map(({ item, commit }, idx) =>
    encodeStep(hub, idx, { instanceId: item.instance.instanceId, lockToken: item.lockToken, firstSequence: item.historyLength }, commit));
  const result = await store.pool.query<{ idx: number; leased: LeasedTask[] | null }>(
    named('commit_steps', `SELECT committed_idx AS idx, leased FROM ${store.tables.schema}.commit_steps($1, $2, $3, $4, $5)`,
    [hub, JSON.stringify(encoded), instancesToLock(steps), store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
  );
  const committed = new Map(result.rows.map((row) => [row.idx, row.leased ?? []]));
  return steps.map((step, idx): StepCommitOutcome => {
    const leased = committed.get(idx);
    return leased === undefined
      ? { ok: false, reason: 'lease-lost' }
      : { ok: true, leasedActivities: leased.map((task) => leasedItem(step.item.instance, step.commit, task)) };
  });
}

/** A task a step leased, as the work item the committing worker runs. */
export function leasedItem(instance: { instanceId: string; executionId: string }, commit: OrchestrationCommit, task: LeasedTask): ActivityWorkItem {
  const spec = commit.ops.flatMap((op) => (op.op === 'insertTasks' ? op.tasks : [])).find((activity) => activity.taskId === task.task_id)!;
  const leased: ActivityWorkItem = {
    id: task.id,
    instanceId: instance.instanceId,
    executionId: commit.instance.executionId ?? instance.executionId,
    taskId: task.task_id,
    name: spec.name,
    attempt: 1,
    lockToken: task.lock_token,
  };
  if (spec.input !== undefined) leased.input = spec.input;
  return leased;
}

/** What a step is committed for: its instance, the lease that fences it and where its new events start. */
export interface StepTarget {
  instanceId: string;
  lockToken: string;
  firstSequence: number;
}

/** A step as commit_steps takes it. */
export function encodeStep(hub: string, idx: number, target: StepTarget, commit: OrchestrationCommit): SetWiseStep | OpStep {
  const { status, executionId, input, output, customStatus } = commit.instance;
  const instanceId = target.instanceId;
  const step: EncodedStep = {
    idx,
    instance_id: instanceId,
    lock_token: target.lockToken,
    status,
    execution_id: executionId ?? null,
    // A new execution brings its own input (continue-as-new), even an absent one (as on SQLite).
    set_input: executionId !== undefined || input !== undefined,
    input: input ?? null,
    output: output ?? null,
    custom_status: customStatus ?? null,
    finished: isFinished(status),
    unchanged: commit.instance.unchanged === true,
    first_sequence: target.firstSequence,
    // The orchestration signal, when the commit readies an inbox, is the server's to send.
    signals: commitSignals(instanceId, commit, false).map((signal) => encodeSignal(hub, signal)),
    set_wise: false,
  };
  return isSetWise(instanceId, commit.ops) ? foldSetWise(step, commit.ops) : { ...step, set_wise: false, ops: encodeOps(commit.ops) };
}

/** The rank of each op a set-wise step may hold: applied at once, they must come in this order. */
const SET_WISE_RANK: Partial<Record<CommitOp['op'], number>> = {
  appendHistory: 0,
  deleteMessages: 1,
  deleteAllMessages: 1,
  dropUnleasedTasks: 1,
  insertTasks: 2,
  deliverMessage: 3,
};

/**
 * Whether writing the ops all at once (write_steps) is the same as writing them one after the other: they
 * write only to this instance (every op targets it), their kinds allow it (no history rewrite, no requeue,
 * one insertion of tasks at most) and they come in the order of SET_WISE_RANK.
 */
function isSetWise(instanceId: string, ops: readonly CommitOp[]): boolean {
  if (!writesOnlyItself(instanceId, ops) || ops.filter((op) => op.op === 'insertTasks').length > 1) return false;
  let rank = 0;
  for (const op of ops) {
    const opRank = SET_WISE_RANK[op.op];
    if (opRank === undefined || (op.op !== 'appendHistory' && opRank < rank)) return false;
    if (op.op !== 'appendHistory') rank = opRank;
  }
  return true;
}

function foldSetWise(step: EncodedStep, ops: readonly CommitOp[]): SetWiseStep {
  const folded: SetWiseStep = {
    ...step,
    set_wise: true,
    events: [],
    consumed: [],
    delete_all: false,
    drop_tasks: false,
    tasks: [],
    lease_worker: null,
    lease_ms: null,
    lease_max: null,
    messages: [],
  };
  for (const op of ops) {
    switch (op.op) {
      case 'appendHistory':
        folded.events.push(...op.events.map((event) => JSON.stringify(event)));
        break;
      case 'deleteMessages':
        folded.consumed.push(...op.ids.filter(isRowId));
        break;
      case 'deleteAllMessages':
        folded.delete_all = true;
        break;
      case 'dropUnleasedTasks':
        folded.drop_tasks = true;
        break;
      case 'insertTasks':
        Object.assign(folded, { tasks: op.tasks.map(encodeTask) }, encodeLease(op.tasks.length, op.lease));
        break;
      case 'deliverMessage':
        folded.messages.push(encodeMessage(op.message));
        break;
      default:
        throw new Error(`op ${op.op} is not set-wise`);
    }
  }
  return folded;
}

/**
 * The ops as commit_steps takes them. Creations in a row are sorted by instance id, as every lock is
 * taken, so that two steps creating the same children wait for each other instead of deadlocking on
 * their keys; they do not depend on each other, so the order among them is free.
 */
function encodeOps(ops: readonly CommitOp[]): EncodedOp[] {
  return creationsSorted(ops).map((op): EncodedOp => {
    switch (op.op) {
      case 'appendHistory':
        return { op: 'append_history', events: op.events.map((event) => JSON.stringify(event)) };
      case 'replaceHistory':
        return { op: 'replace_history', events: op.events.map((event) => JSON.stringify(event)) };
      case 'deleteMessages':
        return { op: 'delete_messages', ids: op.ids.filter(isRowId) };
      case 'deleteAllMessages':
        return { op: 'delete_all_messages' };
      case 'dropUnleasedTasks':
        return { op: 'drop_unleased_tasks' };
      case 'insertTasks':
        return { op: 'insert_tasks', tasks: op.tasks.map(encodeTask), ...encodeLease(op.tasks.length, op.lease) };
      case 'createInstance':
        return { op: 'create_instance', request: encodeCreateRequest(op.request), on_conflict: encodeMessage(op.onConflict) };
      case 'deliverMessage':
        return { op: 'deliver_message', message: encodeMessage(op.message) };
      case 'requeueMessages':
        return { op: 'requeue_messages' };
      case 'setTags':
        return { op: 'set_tags', set: op.set, remove: op.remove };
    }
  });
}

function creationsSorted(ops: readonly CommitOp[]): CommitOp[] {
  const sorted = [...ops];
  for (let start = 0; start < sorted.length; start++) {
    let end = start;
    while (end < sorted.length && sorted[end]!.op === 'createInstance') end++;
    if (end - start > 1) {
      const run = sorted.slice(start, end).sort((a, b) => compareIds(createdId(a), createdId(b)));
      sorted.splice(start, run.length, ...run);
    }
    start = end;
  }
  return sorted;
}

function createdId(op: CommitOp): string {
  return op.op === 'createInstance' ? op.request.instanceId : '';
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeTask(task: NewActivityTask): EncodedTask {
  return { task_id: task.taskId, name: task.name, input: task.input ?? null };
}

function encodeLease(taskCount: number, lease: ClaimOptions | undefined): EncodedLease {
  const max = Math.min(lease?.max ?? 0, taskCount);
  return { lease_worker: lease?.workerId ?? null, lease_ms: lease?.leaseMs ?? null, lease_max: max > 0 ? max : null };
}

/** Every instance the batch writes to. */
function instancesToLock(steps: readonly StepToCommit[]): string[] {
  const touched = new Set<string>();
  for (const { item, commit } of steps) for (const id of writtenInstances(item.instance.instanceId, commit)) touched.add(id);
  return [...touched];
}

/** Every instance a step writes to: its own and those its ops create or deliver to. */
export function writtenInstances(instanceId: string, commit: OrchestrationCommit): string[] {
  const touched = new Set<string>([instanceId]);
  for (const op of commit.ops) {
    if (op.op === 'deliverMessage') touched.add(op.message.instanceId);
    if (op.op === 'createInstance') {
      touched.add(op.request.instanceId);
      touched.add(op.onConflict.instanceId);
    }
  }
  return [...touched];
}
