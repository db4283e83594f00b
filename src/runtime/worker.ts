/**
 * A worker claims orchestration steps and activity tasks from one task hub and runs them. Many workers
 * (in one process or many) may share a hub: leases keep each instance on one worker at a time, and a
 * commit whose lease was lost is rejected by the store.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  ActivityCommitOutcome,
  ActivityStepOutcome,
  ActivityWorkItem,
  Backend,
  InstanceRecord,
  OrchestrationCommit,
  OrchestrationWorkItem,
  OutgoingMessage,
  StepCommitOutcome,
} from '../backend/backend.js';
import { insertedTaskCount, leasingTasks } from '../backend/step-commit.js';
import type { Registry } from '../authoring/registry.js';
import { PollLoop } from './poll-loop.js';
import {
  claimedStep,
  planOrchestrationStep,
  planPoisonedStep,
  planTimedOutStep,
  type Continuation,
  type StepDecision,
  type StepDependencies,
  type StepItem,
} from './orchestration-step.js';
import { StickyRuns, type StickyRun } from './sticky-runs.js';
import { GuardedBatches, StepGuard, type SetCodeTime } from './step-guard.js';
import { startStallMonitor, type StallMonitor } from './stall-monitor.js';
import { isFinished, type FailureDetails } from '../core/history.js';
import { runActivity } from './activity-runner.js';
import { builtIns, type BuiltIns } from './built-in-orchestrators.js';
import { withFields, type Logger } from './logger.js';
import { defaultLogger } from '../logging/pino-logger.js';
import { DEFAULT_MAX_HISTORY_EVENTS, DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import type { HistoryLimits } from '../core/step.js';
import { InvalidArgumentError } from '../errors.js';

export interface WorkerOptions {
  backend: Backend;
  hub: string;
  registry: Registry;
  /** Orchestration steps in flight at once (default 100). */
  orchestrationConcurrency?: number;
  /** Activities running at once (default 100). */
  activityConcurrency?: number;
  /** Largest number of work items claimed in one store round trip (default 50). */
  maxBatch?: number;
  /** How long a claimed step may run before another worker may take it over (default 30 s). */
  orchestrationLeaseMs?: number;
  /** Lease of an activity task, renewed while it runs (default 60 s). */
  activityLeaseMs?: number;
  /** Idle polling backs off from minPollMs to maxPollMs (defaults 10 ms, 1 s); signals wake it at once. */
  minPollMs?: number;
  maxPollMs?: number;
  maxPayloadBytes?: number;
  /** A step that takes an execution's history to this many events logs a warning (default a fifth of maxHistoryEvents: 10,000). */
  historyWarningEvents?: number;
  /**
   * A step that would take an execution's history beyond this many events fails the instance with a
   * HistoryLimitError instead (default 50,000): looping orchestrations must call continueAsNew.
   */
  maxHistoryEvents?: number;
  /**
   * A step claimed this many times without a commit (its workers died or stalled, or the engine failed on
   * it) fails the instance with a PoisonedStepError instead of running again (default 10).
   */
  maxStepAttempts?: number;
  /** An activity task delivered more times than this is failed without running (default 10). */
  maxActivityAttempts?: number;
  /**
   * Longest time orchestrator code may run in one step without yielding (default 10 s). Code that runs
   * longer (an endless loop) is stopped, even mid-loop, and the instance fails with a StepTimeoutError.
   */
  stepTimeoutMs?: number;
  /**
   * An activity that has not settled after this long fails with an ActivityTimeoutError and its slot is
   * freed; its context's `signal` is aborted (default 10 minutes).
   */
  activityTimeoutMs?: number;
  /**
   * When the event loop has been blocked this long (activity code that never yields), a watcher thread
   * ends the process, so its leases expire and other workers take the work over (default 60 s, or twice
   * stepTimeoutMs if that is longer; 0: off). It must be longer than stepTimeoutMs.
   */
  eventLoopBlockLimitMs?: number;
  /**
   * Instances whose replayed state (the live orchestrator code and its bookkeeping) the worker keeps after
   * committing their step, to run their next step without reloading and replaying the history (sticky
   * execution, least recently used dropped first; default 1,000; 0: off).
   */
  maxCachedInstances?: number;
  workerId?: string;
  logger?: Logger;
  /** Called after every committed step: lets tests audit who ran what, when. */
  onStepCommitted?: (record: StepAuditRecord) => void;
}

/**
 * One committed step. `startedAt` (after the claim returned) and `committingAt` (before the commit was sent)
 * are this process's clock and bound an interval inside the one in which the worker held the instance, so
 * overlapping intervals of two workers prove a double execution.
 */
export interface StepAuditRecord {
  instanceId: string;
  workerId: string;
  startedAt: number;
  committingAt: number;
  /** The status the instance had when this step claimed it. */
  claimedStatus: string;
  /** The status the step committed. */
  status: string;
  /**
   * Whether the step was computed ahead from this worker's run of the instance and committed in the
   * transaction that completed the activity whose result it consumed (docs/adr/0029), instead of claimed.
   */
  withActivity: boolean;
}

export class Worker {
  readonly workerId: string;
  private readonly backend: Backend;
  private readonly hub: string;
  private readonly registry: Registry;
  /** taskhub's own orchestrations (batch jobs), under reserved names no registry can hold. */
  private readonly builtIns: BuiltIns;
  private readonly logger: Logger;
  private readonly maxPayloadBytes: number;
  private readonly historyLimits: HistoryLimits;
  private readonly maxStepAttempts: number;
  private readonly orchestrationLeaseMs: number;
  private readonly activityLeaseMs: number;
  private readonly maxBatch: number;
  private readonly stepGuard: StepGuard;
  private readonly stepPlans: GuardedBatches<PlannedItem, StepDecision>;
  private readonly sticky: StickyRuns;
  private readonly orchestrations: PollLoop<OrchestrationWorkItem>;
  private readonly activities: PollLoop<ActivityWorkItem>;
  private unsubscribe: (() => void) | undefined;
  private readonly eventLoopBlockLimitMs: number;
  private stallMonitor: StallMonitor | undefined;
  /** Activities running, for the stall monitor's report. */
  private readonly activitiesInHand = new Set<ActivityWorkItem>();
  private readonly onStepCommitted: WorkerOptions['onStepCommitted'];

  constructor(options: WorkerOptions) {
    this.backend = options.backend;
    this.hub = options.hub;
    this.registry = options.registry;
    this.builtIns = builtIns(options.backend, options.hub);
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.historyLimits = historyLimits(options);
    this.maxStepAttempts = attemptLimit('maxStepAttempts', options.maxStepAttempts);
    const maxActivityAttempts = attemptLimit('maxActivityAttempts', options.maxActivityAttempts);
    this.stepGuard = new StepGuard(positiveMilliseconds('stepTimeoutMs', options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS));
    this.stepPlans = new GuardedBatches(this.stepGuard, (planned, setCodeTime) => this.plan(planned, setCodeTime));
    this.sticky = new StickyRuns(cacheCapacity(options.maxCachedInstances));
    const activityTimeoutMs = positiveMilliseconds('activityTimeoutMs', options.activityTimeoutMs ?? DEFAULT_ACTIVITY_TIMEOUT_MS, MAX_TIMER_MS);
    this.eventLoopBlockLimitMs = eventLoopBlockLimit(options.eventLoopBlockLimitMs, this.stepGuard.limitMs);
    this.orchestrationLeaseMs = options.orchestrationLeaseMs ?? 30_000;
    this.activityLeaseMs = options.activityLeaseMs ?? 60_000;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.logger = withFields(options.logger ?? defaultLogger(), { workerId: this.workerId });
    this.onStepCommitted = options.onStepCommitted;
    const minPollMs = options.minPollMs ?? 10;
    const maxPollMs = options.maxPollMs ?? 1000;
    const maxBatch = options.maxBatch ?? 50;
    this.maxBatch = maxBatch;
    const onError = (context: string, error: unknown) => this.logger.error(`${context}: ${describeError(error)}`);

    this.orchestrations = new PollLoop({
      name: 'orchestration dispatcher',
      concurrency: options.orchestrationConcurrency ?? 100,
      maxBatch,
      minPollMs,
      maxPollMs,
      claim: (max) =>
        this.backend.claimOrchestrations(this.hub, withCachedHistories({ workerId: this.workerId, max, leaseMs: this.orchestrationLeaseMs }, this.sticky)),
      process: (item) => this.processOrchestration(item),
      onError,
    });
    this.activities = new PollLoop({
      name: 'activity dispatcher',
      concurrency: options.activityConcurrency ?? 100,
      maxBatch,
      minPollMs,
      maxPollMs,
      claim: (max) => this.backend.claimActivities(this.hub, { workerId: this.workerId, max, leaseMs: this.activityLeaseMs }),
      process: (item) =>
        this.trackActivity(item, () =>
          runActivity(item, {
            backend: this.backend,
            hub: this.hub,
            resolveActivity: (name) => this.builtIns.getActivity(name) ?? this.registry.getActivity(name),
            leaseMs: this.activityLeaseMs,
            maxAttempts: maxActivityAttempts,
            maxPayloadBytes: this.maxPayloadBytes,
            timeoutMs: activityTimeoutMs,
            logger: this.logger,
            complete: (item, result) => this.completeActivity(item, result),
          }),
        ),
      onError,
    });
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.backend.subscribe(this.hub, (signal) => {
      if (signal.kind === 'orchestration') this.orchestrations.wakeup.notify();
      else if (signal.kind === 'activity') this.activities.wakeup.notify();
    });
    if (this.eventLoopBlockLimitMs > 0) this.stallMonitor = startStallMonitor(this.eventLoopBlockLimitMs);
    this.orchestrations.start();
    this.activities.start();
  }

  /** Stops claiming new work and waits for the steps and activities in hand to commit. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([this.orchestrations.stopClaiming(), this.activities.stopClaiming()]);
    // Work in hand may still hand work over (a step's commit its activities, an activity's completion the
    // next step), for slots reserved before the stop: drain until both are idle.
    while (this.orchestrations.busy || this.activities.busy) await Promise.all([this.orchestrations.drain(), this.activities.drain()]);
    this.stallMonitor?.stop();
    this.stallMonitor = undefined;
  }

  private async trackActivity(item: ActivityWorkItem, run: () => Promise<void>): Promise<void> {
    this.activitiesInHand.add(item);
    this.describeActivitiesInHand();
    try {
      await run();
    } finally {
      this.activitiesInHand.delete(item);
      this.describeActivitiesInHand();
    }
  }

  private describeActivitiesInHand(): void {
    if (!this.stallMonitor) return;
    const shown = [...this.activitiesInHand].slice(-ACTIVITIES_NAMED_IN_A_STALL);
    const names = shown.map((item) => `activity '${item.name}' (instance '${item.instanceId}', task ${item.taskId}, attempt ${item.attempt})`);
    const more = this.activitiesInHand.size - shown.length;
    this.stallMonitor.describe(names.length === 0 ? '' : `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }

  private async processOrchestration(claimed: OrchestrationWorkItem): Promise<void> {
    const startedAt = Date.now();
    const localStart = performance.now();
    const logger = stepLogger(this.logger, claimed);
    let planned: PlannedItem;
    try {
      planned = await this.withHistory(claimed);
    } catch (error) {
      const abandon = internalError(logger, claimed, error);
      await this.backend.abandonOrchestration(this.hub, claimed, abandon.retryAfterMs, abandon.failed);
      return;
    }
    const { item } = planned;
    const guarded = await this.stepPlans.run(planned);
    const decision = guarded.kind === 'done' ? guarded.value : this.timedOut(item);
    if (decision.kind === 'abandon') {
      await this.backend.abandonOrchestration(this.hub, item, decision.retryAfterMs, decision.failed);
      return;
    }
    const committingAt = Date.now();
    const outcome = await this.commitLeasingActivities(item, decision.commit);
    if (!outcome.ok) {
      logger.warn(
        `step of instance '${item.instance.instanceId}' was not committed: its lease expired and another worker may own it ` +
          '(duplicate execution prevented)',
      );
      return;
    }
    if (decision.continuation) this.keepRun(item.instance, decision.commit, decision.continuation, { storeTime: item.claimedAt, localTime: localStart });
    logOutcome(logger, item, decision.commit);
    this.onStepCommitted?.({
      instanceId: item.instance.instanceId,
      workerId: this.workerId,
      startedAt,
      committingAt,
      claimedStatus: item.instance.status,
      status: decision.commit.instance.status,
      withActivity: false,
    });
  }

  /** A committed step's run, settled, goes back to the cache when its execution goes on. */
  private keepRun(instance: InstanceRecord, commit: OrchestrationCommit, continuation: Continuation, steppedAt: StickyRun['steppedAt']): void {
    const { run, events, executionId, historyLength } = continuation;
    run.settleStep(events);
    if (!run.isContinuable()) return;
    this.sticky.keep(instance.instanceId, { run, executionId, length: historyLength, instance: afterCommit(instance, commit), steppedAt });
  }

  /**
   * Commits a step, leasing to this worker as many of its new activity tasks as it has free slots for (up
   * to a claim's batch, and only while its activity dispatcher is quiet: PollLoop.reserve), and runs them at
   * once: a chain of activities needs no claim per activity.
   */
  private async commitLeasingActivities(item: OrchestrationWorkItem, commit: OrchestrationCommit): Promise<StepCommitOutcome> {
    return this.leasingActivities(commit, async (leasing) => {
      const outcome = await this.backend.commitOrchestration(this.hub, item, leasing);
      return { outcome, leased: outcome.ok ? outcome.leasedActivities : [] };
    });
  }

  /** Sends `commit` with its new tasks leased to this worker as far as it has slots, and runs those it got. */
  private async leasingActivities<T>(commit: OrchestrationCommit, send: (leasing: OrchestrationCommit) => Promise<{ outcome: T; leased: ActivityWorkItem[] }>): Promise<T> {
    const tasks = insertedTaskCount(commit);
    const reserved = tasks > 0 ? this.activities.reserve(Math.min(tasks, this.maxBatch)) : 0;
    let leased: ActivityWorkItem[] = [];
    try {
      const leasing = reserved > 0 ? leasingTasks(commit, { workerId: this.workerId, max: reserved, leaseMs: this.activityLeaseMs }) : commit;
      const sent = await send(leasing);
      leased = sent.leased;
      return sent.outcome;
    } finally {
      this.activities.adopt(leased, reserved);
    }
  }

  /**
   * Completes an activity. While this worker's step dispatcher is quiet, the step its result readies is
   * handled in the same transaction: computed ahead from the run this worker holds of the instance and
   * committed with the result (docs/adr/0029), or, when the worker holds none or the store finds the
   * instance otherwise than the run believed, claimed and run at once: either way it needs no claim of its
   * own.
   */
  private async completeActivity(item: ActivityWorkItem, result: OutgoingMessage): Promise<ActivityCommitOutcome> {
    const reserved = this.orchestrations.reserve(1);
    let claimed: OrchestrationWorkItem[] = [];
    try {
      const ahead = reserved > 0 ? await this.stepAhead(item, result) : undefined;
      // After stepAhead: the run it took out is no longer current, and the claim must bring the history.
      const claimNext = reserved > 0 ? withCachedHistories({ workerId: this.workerId, leaseMs: this.orchestrationLeaseMs }, this.sticky) : undefined;
      if (ahead) {
        const outcome = await this.commitWithActivity(item, result, ahead, claimNext);
        if (!outcome.ok) return outcome;
        if (!outcome.stepCommitted && outcome.claimed) claimed = [outcome.claimed];
        return { ok: true };
      }
      const outcome = await this.backend.completeActivity(this.hub, item, result, claimNext);
      if (outcome.ok && outcome.claimed) claimed = [outcome.claimed];
      return outcome;
    } finally {
      this.orchestrations.adopt(claimed, reserved);
    }
  }

  /**
   * The step an activity's result readies, computed from the run this worker holds of the instance, when
   * the result is all the step can consume as far as the run knows (the activity is the run's only open
   * one: a fan-out's results take the claim's path) and the step comes to a commit. The run is taken out of
   * the cache: its code goes on with this step, which may yet not be committed. Its time is the store's
   * clock as last read (the step that made the run) plus the time since on this process's monotonic clock:
   * never before the history's last step, and never after the store's clock, which the store checks.
   */
  private async stepAhead(item: ActivityWorkItem, result: OutgoingMessage): Promise<StepAhead | undefined> {
    const held = this.sticky.peek(item.instanceId);
    if (!held || held.executionId !== item.executionId || result.executionId !== item.executionId) return undefined;
    const open = held.run.openActivities();
    if (open.length !== 1 || open[0] !== item.taskId) return undefined;
    this.sticky.take(item.instanceId);
    const startedAt = Date.now();
    const localTime = performance.now();
    const stepAt = held.steppedAt.storeTime + Math.floor(localTime - held.steppedAt.localTime);
    const stepItem: StepItem = {
      instance: held.instance,
      history: held.run.history,
      historyLength: held.length,
      messages: [{ id: RESULT_MESSAGE_ID, executionId: item.executionId, event: result.event }],
      lockToken: '',
      claimedAt: stepAt,
      failedAttempts: 0,
    };
    const guarded = await this.stepPlans.run({ item: stepItem, cached: held });
    const decision = guarded.kind === 'done' ? guarded.value : this.timedOut(stepItem);
    // A step that cannot be committed now is left to the claim (an engine error is then met there).
    if (decision.kind === 'abandon') return undefined;
    return { item: stepItem, commit: withoutResultMessage(decision.commit), continuation: decision.continuation, startedAt, localTime };
  }

  /** The activity's completion with the step computed ahead; the store falls back to completeActivity's work when it must. */
  private async commitWithActivity(
    item: ActivityWorkItem,
    result: OutgoingMessage,
    ahead: StepAhead,
    claimNext: Parameters<Backend['completeActivity']>[3],
  ): Promise<ActivityStepOutcome> {
    const { item: stepItem, commit, continuation } = ahead;
    const committingAt = Date.now();
    const step = { executionId: stepItem.instance.executionId, historyLength: stepItem.historyLength, stepAt: stepItem.claimedAt };
    const outcome = await this.leasingActivities(commit, async (leasing) => {
      const sent = await this.backend.completeActivityWithStep(this.hub, item, result, { ...step, commit: leasing }, claimNext);
      return { outcome: sent, leased: sent.ok && sent.stepCommitted ? sent.leasedActivities : [] };
    });
    const logger = stepLogger(this.logger, stepItem);
    if (!outcome.ok) return outcome;
    if (!outcome.stepCommitted) {
      logger.debug?.(`the step computed ahead for '${item.instanceId}' was not committed (${outcome.fallback}): its result was delivered instead`);
      return outcome;
    }
    if (continuation) this.keepRun(stepItem.instance, commit, continuation, { storeTime: stepItem.claimedAt, localTime: ahead.localTime });
    logOutcome(logger, stepItem, commit);
    this.onStepCommitted?.({
      instanceId: item.instanceId,
      workerId: this.workerId,
      startedAt: ahead.startedAt,
      committingAt,
      claimedStatus: stepItem.instance.status,
      status: commit.instance.status,
      withActivity: true,
    });
    return outcome;
  }

  /** `logger` carries the instance and execution: context.log lines, history warnings and failures say which. */
  private stepDependencies(logger: Logger, onCodeTime?: SetCodeTime): StepDependencies {
    return {
      resolveOrchestrator: (name: string) => this.builtIns.getOrchestrator(name) ?? this.registry.getOrchestrator(name),
      maxPayloadBytes: this.maxPayloadBytes,
      newExecutionId: () => randomUUID().replaceAll('-', ''),
      logger,
      historyLimits: this.historyLimits,
      onCodeTime,
    };
  }

  /** The step whose code the guard stopped: the instance fails without the code being run again. */
  private timedOut(item: StepItem): StepDecision {
    const { instanceId, name } = item.instance;
    const logger = stepLogger(this.logger, item);
    logger.error(
      `the code of orchestrator '${name}' (instance '${instanceId}') ran for more than ${this.stepGuard.limitMs} ms in one step and was stopped: ` +
        'the instance fails (StepTimeoutError)',
    );
    return planTimedOutStep(item, this.stepDependencies(logger), this.stepGuard.limitMs);
  }

  /**
   * The claimed step with the history it runs on. The run this worker holds of the instance is taken out of
   * the cache (it goes back only once the step is committed) and used if it is current: the same execution
   * and history length as the store's. Otherwise the claim's history is replayed; a claim leaves it out
   * for runs the cache held when it was sent, so if that run has been dropped since, it is read now.
   */
  private async withHistory(item: OrchestrationWorkItem): Promise<PlannedItem> {
    const held = this.sticky.take(item.instance.instanceId);
    const current = held && held.executionId === item.instance.executionId && held.length === item.historyLength ? held : undefined;
    if (current) return { item: { ...item, history: current.run.history }, cached: current };
    if (item.history) return { item: claimedStep(item) };
    const records = await this.backend.getHistory(this.hub, item.instance.instanceId, { limit: item.historyLength });
    return { item: { ...item, history: records.map((record) => record.event) } };
  }

  private plan({ item, cached }: PlannedItem, onCodeTime: SetCodeTime): StepDecision {
    const logger = stepLogger(this.logger, item);
    const deps = this.stepDependencies(logger, onCodeTime);
    const poisoned = item.failedAttempts >= this.maxStepAttempts && !isFinished(item.instance.status);
    if (poisoned) logger.error(`the step of '${item.instance.instanceId}' failed to commit ${item.failedAttempts} times: the instance fails (PoisonedStepError)`);
    try {
      return poisoned ? planPoisonedStep(item, deps) : planOrchestrationStep(item, deps, cached?.run);
    } catch (error) {
      return internalError(logger, item, error);
    }
  }
}

/** A step computed ahead from a cached run, ready to commit with the activity whose result it consumed. */
interface StepAhead {
  item: StepItem;
  commit: OrchestrationCommit;
  continuation?: Continuation;
  /** Date.now() and performance.now() when it began. */
  startedAt: number;
  localTime: number;
}

/** The id a step computed ahead gives the activity's result, which is in no inbox: it names no message of any store. */
export const RESULT_MESSAGE_ID = 'activity-result';

/** The commit without the deletion of the result, which was never delivered. */
export function withoutResultMessage(commit: OrchestrationCommit): OrchestrationCommit {
  const ops = commit.ops.map((op) => (op.op === 'deleteMessages' ? { ...op, ids: op.ids.filter((id) => id !== RESULT_MESSAGE_ID) } : op));
  return { ...commit, ops };
}

/** The instance as a committed step leaves it, for the next step computed ahead of its claim. */
function afterCommit(instance: InstanceRecord, commit: OrchestrationCommit): InstanceRecord {
  return { ...instance, status: commit.instance.status, output: commit.instance.output, customStatus: commit.instance.customStatus };
}

/** A claimed step ready to plan: its history, and the run this worker holds of it when that is current. */
interface PlannedItem {
  item: StepItem;
  cached?: StickyRun;
}

/**
 * The engine turns user errors into failures; an exception while reading or running a step is a taskhub
 * defect (or a store error reading the history). Retry later, backing off, rather than lose the step; after
 * maxStepAttempts the instance fails.
 */
function internalError(logger: Logger, item: OrchestrationWorkItem, error: unknown): StepDecision & { kind: 'abandon' } {
  logger.error(`internal error while running a step of '${item.instance.instanceId}': ${describeError(error)}`);
  return { kind: 'abandon', retryAfterMs: Math.min(1000 * 2 ** item.failedAttempts, 60_000), failed: true };
}

/** Claim options that leave out the histories this worker holds. */
function withCachedHistories<T extends object>(options: T, sticky: StickyRuns): T & { cachedHistories?: StickyRuns['histories'] } {
  const cachedHistories = sticky.histories;
  return cachedHistories ? { ...options, cachedHistories } : options;
}

function cacheCapacity(value: number | undefined): number {
  const capacity = value ?? DEFAULT_MAX_CACHED_INSTANCES;
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new InvalidArgumentError(`maxCachedInstances must be a whole number of at least 0 (0 turns the cache off), not ${capacity}`);
  }
  return capacity;
}

/** A step's lines say which instance and execution they are about. */
function stepLogger(logger: Logger, item: OrchestrationWorkItem): Logger {
  return withFields(logger, { instanceId: item.instance.instanceId, executionId: item.instance.executionId });
}

/**
 * One line when a step ends its instance: an error for a failure (with the error, so the log says why
 * without a status query), detail for the rest.
 */
function logOutcome(logger: Logger, item: OrchestrationWorkItem, commit: OrchestrationCommit): void {
  const { status, output } = commit.instance;
  // A step that ran the orchestration wrote history; one that only dropped late messages did not.
  const ran = commit.ops.some((op) => op.op === 'replaceHistory' || (op.op === 'appendHistory' && op.events.length > 0));
  if (!ran) return;
  const name = item.instance.name;
  if (status === 'Failed') {
    const failure = output === undefined ? undefined : (JSON.parse(output) as Partial<FailureDetails> | null);
    logger.error(`orchestration '${name}' failed: ${failure?.errorType ?? 'Error'}: ${failure?.errorMessage ?? 'no details'}`);
  } else if (status === 'Completed' || status === 'Terminated' || status === 'ContinuedAsNew') {
    logger.debug?.(`orchestration '${name}' ${status === 'ContinuedAsNew' ? 'continued as new' : status.toLowerCase()}`);
  }
}

const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_MAX_CACHED_INSTANCES = 1000;
const DEFAULT_STEP_TIMEOUT_MS = 10_000;
const DEFAULT_ACTIVITY_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_EVENT_LOOP_BLOCK_LIMIT_MS = 60_000;
/** The latest activities started are the likeliest to be blocking; a few names say enough. */
const ACTIVITIES_NAMED_IN_A_STALL = 5;
/** setTimeout's longest delay; vm's timeout takes up to 2^32 - 1. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positiveMilliseconds(name: string, value: number, max = 2 ** 32 - 1): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`${name} must be a whole number of milliseconds from 1 to ${max}, not ${value}`);
  }
  return value;
}

function eventLoopBlockLimit(value: number | undefined, stepTimeoutMs: number): number {
  if (value === 0) return 0;
  const limit = positiveMilliseconds('eventLoopBlockLimitMs', value ?? Math.max(DEFAULT_EVENT_LOOP_BLOCK_LIMIT_MS, 2 * stepTimeoutMs), MAX_TIMER_MS);
  // A step the guard is about to stop must not end the process first.
  if (limit <= stepTimeoutMs) {
    throw new InvalidArgumentError(`eventLoopBlockLimitMs (${limit}) must be longer than stepTimeoutMs (${stepTimeoutMs}), or 0 to turn the check off`);
  }
  return limit;
}

function attemptLimit(name: string, value: number | undefined): number {
  const limit = value ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1, not ${limit}`);
  return limit;
}

function historyLimits(options: WorkerOptions): HistoryLimits {
  const failAt = options.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const warnAt = options.historyWarningEvents ?? Math.ceil(failAt / 5);
  if (!Number.isSafeInteger(failAt) || failAt < 1) throw new InvalidArgumentError(`maxHistoryEvents must be a whole number of at least 1, not ${failAt}`);
  if (!Number.isSafeInteger(warnAt) || warnAt < 1 || warnAt > failAt) {
    throw new InvalidArgumentError(`historyWarningEvents must be a whole number from 1 to maxHistoryEvents (${failAt}), not ${warnAt}`);
  }
  return { warnAt, failAt };
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
