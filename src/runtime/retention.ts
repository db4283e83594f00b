/**
 * Retention: an eternal built-in orchestration (one instance per hub, `taskhub.retention`, so one worker at
 * a time applies it: the instance's lease) purges finished instances older than the policy allows, in
 * bounded batches, then sleeps on a durable timer (docs/adr/0027-retention-as-an-eternal-orchestration.md).
 */
import type { ActivityFunction } from '../authoring/definitions.js';
import type { Backend } from '../backend/backend.js';
import type { OrchestrationContext, OrchestratorFunction } from '../core/context.js';
import { Task } from '../core/task.js';
import type { RuntimeStatus } from '../core/history.js';

export const RETENTION_ORCHESTRATOR = 'taskhub.retention';
export const RETENTION_INSTANCE_ID = 'taskhub.retention';
export const RETENTION_POLICY_EVENT = 'taskhub.retention.policy';
const APPLY_ACTIVITY = 'taskhub.retention.apply';
const DAY_MS = 86_400_000;
/** Instances purged per transaction, and at most this many over the count limit per run. */
const PURGE_BATCH_SIZE = 500;
const MAX_LIST_PAGE = 1000;

export interface RetentionPolicy {
  /** Keep Completed instances this many days after they finished (fractions allowed). */
  completedDays?: number;
  failedDays?: number;
  terminatedDays?: number;
  /** Keep at most this many finished instances: the oldest beyond it are purged. */
  maxFinished?: number;
  /** Seconds between runs (default 60). */
  intervalSeconds?: number;
}

export interface RetentionRun {
  at: string;
  completed: number;
  failed: number;
  terminated: number;
  overLimit: number;
}

export interface RetentionState {
  policy: RetentionPolicy;
  lastRun?: RetentionRun;
  purgedTotal: number;
}

const DAYS: [keyof RetentionPolicy, RuntimeStatus, keyof RetentionRun][] = [
  ['completedDays', 'Completed', 'completed'],
  ['failedDays', 'Failed', 'failed'],
  ['terminatedDays', 'Terminated', 'terminated'],
];

export const retentionOrchestrator: OrchestratorFunction<RetentionState> = function* (context: OrchestrationContext, input: RetentionState) {
  const run = (yield context.callActivity(APPLY_ACTIVITY, input.policy)) as RetentionRun;
  const purged = run.completed + run.failed + run.terminated + run.overLimit;
  const state: RetentionState = { ...input, lastRun: run, purgedTotal: input.purgedTotal + purged };
  context.setCustomStatus(state);
  const timer = context.createTimer(new Date(context.currentUtcDateTime.getTime() + (input.policy.intervalSeconds ?? 60) * 1000));
  const policyChange = context.waitForExternalEvent<RetentionPolicy>(RETENTION_POLICY_EVENT);
  const winner = yield* Task.any([timer, policyChange]);
  if (winner === policyChange) timer.cancel();
  context.continueAsNew({ ...state, policy: winner === policyChange ? policyChange.result : state.policy });
  return undefined;
};

export function retentionActivities(backend: Backend, hub: string): [string, ActivityFunction][] {
  return [[APPLY_ACTIVITY, (policy: RetentionPolicy) => applyPolicy(backend, hub, policy)]];
}

async function applyPolicy(backend: Backend, hub: string, policy: RetentionPolicy): Promise<RetentionRun> {
  const now = await backend.now();
  const run: RetentionRun = { at: new Date(now).toISOString(), completed: 0, failed: 0, terminated: 0, overLimit: 0 };
  for (const [days, status, counter] of DAYS) {
    const keepDays = policy[days];
    if (keepDays === undefined) continue;
    const cutoff = now - keepDays * DAY_MS;
    // Finished instances are not written again, so their last update is when they finished. An instance
    // finished by the cutoff was created by it too: that bound, implied, ends the purge's walk of the
    // status's instances in creation order at the cutoff, where it would pass every younger instance of the
    // status at each run (PostgreSQL: docs/benchmarks.md, "Batch jobs and retention at scale"). Should a
    // clock step back, an instance it leaves out is purged at a later run, never one too young.
    (run[counter] as number) = await backend.purgeInstances(hub, { statuses: [status], createdTo: cutoff, lastUpdatedTo: cutoff }, PURGE_BATCH_SIZE);
  }
  if (policy.maxFinished !== undefined) run.overLimit = await purgeOverLimit(backend, hub, policy.maxFinished);
  return run;
}

/** The oldest finished instances beyond `max`, at most a page of them per run. */
async function purgeOverLimit(backend: Backend, hub: string, max: number): Promise<number> {
  const statuses: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];
  const counts = await backend.countInstances(hub, { statuses });
  const finished = statuses.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  const excess = Math.min(finished - max, MAX_LIST_PAGE);
  if (excess <= 0) return 0;
  const page = await backend.listInstances(hub, { statuses, pageSize: excess, includeInput: false });
  let purged = 0;
  for (const record of page.instances) if ((await backend.purgeInstance(hub, record.instanceId)).purged) purged++;
  return purged;
}
