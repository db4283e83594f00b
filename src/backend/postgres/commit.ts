/**
 * Commits orchestration steps: a group-committed batch of them is one call of the server function
 * commit_steps (sql/commit.sql), one round trip and one transaction, whatever the steps write. Each step is
 * fenced on its own: it is written only while its lease holds, and releases it. Every instance the batch
 * writes to is locked first, in id order.
 */
import { isFinished } from '../../core/history.js';
import type { ActivityWorkItem, OrchestrationCommit, OrchestrationWorkItem, StepCommitOutcome, WorkSignal } from '../backend.js';
import { encodeCreateRequest, type EncodedCreateRequest } from './delivery.js';
import { named, type PostgresStore } from './connection.js';
import { encodeMessage, type EncodedMessage } from './delivery.js';
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
  first_sequence: number;
  replace_history: boolean;
  events: string[];
  consumed: string[];
  delete_all: boolean;
  requeue: boolean;
  tasks: { task_id: number; name: string; input: string | null }[];
  lease_worker: string | null;
  lease_ms: number | null;
  lease_max: number | null;
  creates: (EncodedCreateRequest & { on_conflict: EncodedMessage })[];
  messages: EncodedMessage[];
  signals: string[];
}

/** A task commit_steps leased to the committing worker. */
interface LeasedTask {
  id: string;
  task_id: number;
  lock_token: string;
}

export async function commitSteps(store: PostgresStore, hub: string, steps: readonly StepToCommit[]): Promise<StepCommitOutcome[]> {
  const encoded = steps.map((step, idx) => encodeStep(hub, idx, step));
  const result = await store.pool.query<{ idx: number; leased: LeasedTask[] | null }>(
    named('commit_steps', `SELECT committed_idx AS idx, leased FROM ${store.tables.schema}.commit_steps($1, $2, $3, $4, $5)`,
    [hub, JSON.stringify(encoded), instancesToLock(encoded), store.channel, encodeSignal(hub, { kind: 'orchestration' })]),
  );
  const committed = new Map(result.rows.map((row) => [row.idx, row.leased ?? []]));
  return steps.map((step, idx): StepCommitOutcome => {
    const leased = committed.get(idx);
    return leased === undefined ? { ok: false, reason: 'lease-lost' } : { ok: true, leasedActivities: leased.map((task) => leasedItem(step, task)) };
  });
}

function leasedItem({ item, commit }: StepToCommit, task: LeasedTask): ActivityWorkItem {
  const spec = commit.activities.find((activity) => activity.taskId === task.task_id)!;
  const leased: ActivityWorkItem = {
    id: task.id,
    instanceId: item.instance.instanceId,
    executionId: commit.instance.executionId ?? item.instance.executionId,
    taskId: task.task_id,
    name: spec.name,
    attempt: 1,
    lockToken: task.lock_token,
  };
  if (spec.input !== undefined) leased.input = spec.input;
  return leased;
}

function encodeStep(hub: string, idx: number, { item, commit }: StepToCommit): EncodedStep {
  const { status, executionId, input, output, customStatus } = commit.instance;
  const signals: WorkSignal[] = [];
  const leaseMax = Math.min(commit.leaseActivities?.max ?? 0, commit.activities.length);
  // Tasks leased to the committing worker are no news to the others.
  if (commit.activities.length > leaseMax) signals.push({ kind: 'activity' });
  if (isFinished(status)) signals.push({ kind: 'finished', instanceId: item.instance.instanceId });
  return {
    idx,
    instance_id: item.instance.instanceId,
    lock_token: item.lockToken,
    status,
    execution_id: executionId ?? null,
    // A new execution brings its own input (continue-as-new), even an absent one (as on SQLite).
    set_input: executionId !== undefined || input !== undefined,
    input: input ?? null,
    output: output ?? null,
    custom_status: customStatus ?? null,
    finished: isFinished(status),
    first_sequence: commit.replaceHistory !== undefined ? 0 : item.history.length,
    replace_history: commit.replaceHistory !== undefined,
    events: (commit.replaceHistory ?? commit.appendEvents).map((event) => JSON.stringify(event)),
    consumed: commit.consumedMessageIds.filter(isRowId),
    delete_all: commit.deleteAllMessages === true,
    requeue: commit.requeueUnconsumedMessages === true,
    tasks: commit.activities.map((task) => ({ task_id: task.taskId, name: task.name, input: task.input ?? null })),
    lease_worker: commit.leaseActivities?.workerId ?? null,
    lease_ms: commit.leaseActivities?.leaseMs ?? null,
    lease_max: leaseMax > 0 ? leaseMax : null,
    creates: commit.createInstances.map((create) => ({ ...encodeCreateRequest(create.request), on_conflict: encodeMessage(create.onConflict) })),
    messages: commit.messages.map(encodeMessage),
    signals: signals.map((signal) => encodeSignal(hub, signal)),
  };
}

/** Every instance the batch writes to. */
function instancesToLock(steps: readonly EncodedStep[]): string[] {
  const touched = new Set<string>();
  for (const step of steps) {
    touched.add(step.instance_id);
    for (const message of step.messages) touched.add(message.instance_id);
    for (const create of step.creates) {
      touched.add(create.instance_id);
      touched.add(create.on_conflict.instance_id);
    }
  }
  return [...touched];
}
