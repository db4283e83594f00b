/**
 * The one narrow interface between taskhub and its storage. Every backend (SQLite, PostgreSQL) implements
 * it and passes the same conformance suite (src/testing/conformance, exported from taskhub/testing). Backends
 * hold no orchestration logic: they store instances, histories, an inbox of messages per instance, and
 * activity tasks, claim work with leases timed by their own clock (claimable as step-commit.ts defines),
 * and apply a step's commit as the ops the runtime chose. Every method is scoped to one task hub.
 *
 * Times are milliseconds since the epoch, from the store's clock (`now()`).
 * Payloads are JSON text and are stored as given.
 */
import type { HistoryEvent, InboxEvent, JsonText, ParentInstance, RuntimeStatus } from '../core/history.js';
import type { Tags } from '../core/tags.js';

export interface InstanceRecord {
  instanceId: string;
  /** Changes on every new execution (start, replace, continue-as-new). */
  executionId: string;
  name: string;
  status: RuntimeStatus;
  /** Undefined when the query asked not to include inputs. */
  input?: JsonText;
  output?: JsonText;
  customStatus?: JsonText;
  createdAt: number;
  lastUpdatedAt: number;
  completedAt?: number;
  scheduledStartAt?: number;
  parentInstanceId?: string;
  /** The instance's tags (src/core/tags.ts); absent when it has none. */
  tags?: Tags;
}

export interface CreateInstanceRequest {
  instanceId: string;
  executionId: string;
  name: string;
  input?: JsonText;
  /** The instance stays Pending until then. */
  scheduledStartAt?: number;
  parent?: ParentInstance;
  /** Stored as given (validated by the caller); a replaced finished instance's tags are dropped. */
  tags?: Tags;
  /** The ExecutionStarted event to put in the new instance's inbox. */
  startEvent: InboxEvent;
}

export type CreateInstanceOutcome =
  | { created: true }
  /** An instance with that id exists and is not finished (Pending, Running, Suspended, ContinuedAsNew). */
  | { created: false; existingStatus: RuntimeStatus };

/** A message for an instance's inbox. */
export interface OutgoingMessage {
  instanceId: string;
  /** Deliver only to this execution; messages for another execution are dropped when read. */
  executionId?: string;
  event: InboxEvent;
  /** Not visible before this time (durable timers). Default: now. */
  visibleAt?: number;
}

export type SendMessageOutcome =
  | { sent: true; status: RuntimeStatus }
  | { sent: false; reason: 'not-found' }
  | { sent: false; reason: 'wrong-status'; status: RuntimeStatus };

/** sendMessagesOnce's answer for one message: sendMessage's, or `duplicate` when the key was recorded for that instance already. */
export type SendOnceOutcome = SendMessageOutcome | { sent: false; reason: 'duplicate' };

export interface InboxMessage {
  /** Backend-specific id, opaque to callers. */
  id: string;
  executionId?: string;
  event: InboxEvent;
}

export interface OrchestrationWorkItem {
  instance: InstanceRecord;
  /**
   * The current execution's committed history, oldest first. Absent when the claim's `cachedHistories`
   * named this instance with its execution id and exactly `historyLength`: the claiming worker holds it.
   */
  history?: HistoryEvent[];
  /** How many events the current execution's history holds (the sequence number its next event gets). */
  historyLength: number;
  /** Visible inbox messages, in arrival order. */
  messages: InboxMessage[];
  /** Proves ownership at commit time (fencing). */
  lockToken: string;
  /** The store's time at the claim. */
  claimedAt: number;
  /**
   * Earlier claims of this step that ended without a commit: a lease that ran out (a worker that died or
   * stalled) or an abandon that counted as failed. 0 after every commit. Bounds poison steps (T18).
   */
  failedAttempts: number;
}

export interface ActivityWorkItem {
  id: string;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input?: JsonText;
  /** 1 on the first delivery; grows each time a lease expires and the task is claimed again. */
  attempt: number;
  lockToken: string;
}

export interface NewActivityTask {
  taskId: number;
  name: string;
  input?: JsonText;
}

/**
 * What a step writes, applied in one transaction while the work item's lease holds (the fence: its
 * `lockToken`), releasing it: the instance row as `instance` says, then `ops` in order. The runtime
 * (src/runtime/orchestration-step.ts) decides what to write and in what order; a backend only interprets
 * each op as its doc says, so the rules live once, in TypeScript (docs/adr/0009-step-commit-as-ops.md).
 */
export interface OrchestrationCommit {
  /** The instance row after the step. `output` and `customStatus` are set as given (undefined clears them). */
  instance: {
    status: RuntimeStatus;
    /** New execution id (continue-as-new); unchanged when omitted. */
    executionId?: string;
    /** New input (continue-as-new); unchanged when omitted. A new execution id with no input clears it. */
    input?: JsonText;
    output?: JsonText;
    customStatus?: JsonText;
    /**
     * The step changed nothing of the instance (it dropped messages for a finished execution, or consumed
     * some that add no event): its last-updated and completed times stay as they were, so a timer firing
     * after an instance finished does not make it look finished later than it did.
     */
    unchanged?: boolean;
  };
  ops: CommitOp[];
}

/** One write of a step's commit, to the committing instance unless it names another. */
export type CommitOp =
  /** Appends events to the current history, after its last one. */
  | { op: 'appendHistory'; events: HistoryEvent[] }
  /** Replaces the whole history (rewind), or clears it (continue-as-new: []). */
  | { op: 'replaceHistory'; events: HistoryEvent[] }
  /** Deletes these inbox messages (the ones the step consumed). */
  | { op: 'deleteMessages'; ids: string[] }
  /** Deletes every message in the inbox (the instance finished). */
  | { op: 'deleteAllMessages' }
  /** Deletes the instance's activity tasks that no worker holds a live lease on (the instance finished). */
  | { op: 'dropUnleasedTasks' }
  /**
   * Inserts activity tasks for the instance's current (possibly new) execution. With `lease`, the first
   * `lease.max` are leased to `lease.workerId` as claimActivities would (attempt 1), so that it runs them
   * without a claim; the commit's outcome returns them.
   */
  | { op: 'insertTasks'; tasks: NewActivityTask[]; lease?: ClaimOptions }
  /** Creates an instance as createInstance does; when its id is taken by an unfinished one, delivers `onConflict` instead. */
  | { op: 'createInstance'; request: CreateInstanceRequest; onConflict: OutgoingMessage }
  /**
   * Puts a message in an inbox: always in the committing instance's; in another's while it exists,
   * finished or not (the runtime discards what no longer applies, except a rewind of a Failed child).
   */
  | { op: 'deliverMessage'; message: OutgoingMessage }
  /**
   * Moves the messages of the inbox that this commit did not write (they arrived while the step ran)
   * behind those it did, keeping their order: continue-as-new keeps the events it carries over ahead of
   * events that arrived later.
   */
  | { op: 'requeueMessages' }
  /** Sets these tags and removes those (context.setTag / removeTag), in the instances row and the tag index alike. */
  | { op: 'setTags'; set: Record<string, string>; remove: string[] };

/** An activity's completion: with the instance's next step when it was claimed in the same transaction. */
export type ActivityCommitOutcome = { ok: true; claimed?: OrchestrationWorkItem } | { ok: false; reason: 'lease-lost' };

/**
 * The step an activity's result readies, computed ahead by the worker that ran the activity from the run it
 * holds of the instance (docs/adr/0029-activity-result-and-step-in-one-commit.md): it follows exactly
 * `executionId`'s history of `historyLength` events and consumes the result, which never enters the inbox.
 */
export interface ActivityStep {
  executionId: string;
  historyLength: number;
  /** The step's time (what a claim's `claimedAt` is to a claimed step), by the store's clock: not after the commit's, nor long before. */
  stepAt: number;
  /** As for commitOrchestration; its `deleteMessages` name no message (the result was never delivered). */
  commit: OrchestrationCommit;
}

/** Why completeActivityWithStep did not commit the step (step-commit.ts, activityStepFallback, decides). */
export type ActivityStepFallback = 'history-moved' | 'instance-leased' | 'failed-attempts' | 'inbox-not-empty' | 'tasks-left' | 'step-time-off';

/** completeActivityWithStep's answer: the step committed, or the result delivered as completeActivity would (with `claimed` likewise). */
export type ActivityStepOutcome =
  | { ok: true; stepCommitted: true; leasedActivities: ActivityWorkItem[] }
  | { ok: true; stepCommitted: false; fallback: ActivityStepFallback; claimed?: OrchestrationWorkItem }
  | { ok: false; reason: 'lease-lost' };

/** A step's commit: with the activity tasks it leased to the committing worker (`insertTasks` with a lease), in task order. */
export type StepCommitOutcome = { ok: true; leasedActivities: ActivityWorkItem[] } | { ok: false; reason: 'lease-lost' };

export interface InstanceQuery {
  statuses?: RuntimeStatus[];
  createdFrom?: number;
  createdTo?: number;
  lastUpdatedFrom?: number;
  lastUpdatedTo?: number;
  instanceIdPrefix?: string;
  name?: string;
  /** Instances that have every one of these tags with exactly this value; answered by the tag index. */
  tags?: Tags;
}

/** The listing order by creation time: `oldest` first (the default) or `newest` first; ties by creation order. */
export type ListOrder = 'oldest' | 'newest';

export interface ListInstancesRequest extends InstanceQuery {
  pageSize: number;
  /** Default `oldest`. Both orders page by a keyset of an index; a token is only valid in its own order. */
  orderBy?: ListOrder;
  /** Opaque, from the previous page. */
  continuationToken?: string;
  includeInput: boolean;
  /**
   * The page ends early once its payloads (the inputs it includes, outputs, custom statuses) would pass
   * this many bytes (default MAX_PAGE_PAYLOAD_BYTES, page-budget.ts); it always holds one instance at least.
   * Read where the rows are read, so a page's large columns beyond the bound are never loaded.
   */
  maxPayloadBytes?: number;
}

export interface InstancePage {
  instances: InstanceRecord[];
  /** Absent on the last page. */
  continuationToken?: string;
}

/** The dashboard's histogram: instances counted per interval of creation time. */
export interface HistogramRequest extends InstanceQuery {
  /** Where the first interval starts; instances created before it are not counted. */
  origin: number;
  /** The width of every interval, a whole number of milliseconds (at least 1). */
  intervalMs: number;
}

export interface HistogramCount {
  /** `origin + k * intervalMs`: the start of the interval. */
  intervalStart: number;
  status: RuntimeStatus;
  count: number;
}

export interface HistoryPageRequest {
  /** Return events with sequence number >= this (0-based). */
  fromSequence?: number;
  limit?: number;
}

export interface HistoryRecord {
  sequence: number;
  event: HistoryEvent;
}

export type PurgeOutcome =
  | { purged: true }
  | { purged: false; reason: 'not-found' }
  | { purged: false; reason: 'not-finished'; status: RuntimeStatus };

/** Hints that work may be waiting; never the only path (workers poll too). */
export type WorkSignal =
  | { kind: 'orchestration' }
  | { kind: 'activity' }
  | { kind: 'finished'; instanceId: string };

export interface ClaimOptions {
  workerId: string;
  max: number;
  leaseMs: number;
  /**
   * The histories the claiming worker holds, by instance id (sticky execution, docs/adr/0028): a claimed
   * instance whose current execution and history length are exactly these comes without its history, so a
   * claim's cost does not grow with the history of an instance the worker has in hand. Histories only grow
   * within an execution, except by a rewind, which rewrites a Failed one (docs/adr/0028 says why a worker's
   * copy cannot be taken for a rewound history).
   */
  cachedHistories?: ReadonlyMap<string, CachedHistory>;
}

/**
 * What a claim answers: the items it leased. A claim that leased none also says when the store's next timed
 * work of its kind comes, so an idle poller needs no other round trip to know how long it may sleep (as a
 * non-enumerable property, src/backend/claimed.ts: the answer still compares as the array it is).
 */
export type Claimed<T> = T[] & {
  /**
   * On an empty claim: milliseconds, by the store's clock at the claim, until the earliest future time at
   * which work of the claim's kind may become claimable (for orchestrations a message's visibility — a
   * timer, a scheduled start — or an instance's lease or not-before time running out; for activities a
   * task's lease running out). Undefined when nothing is timed, and on a claim that leased items.
   */
  msUntilTimedWork?: number;
};

/** What a worker holds of an instance's history: the execution and how many of its events. */
export interface CachedHistory {
  executionId: string;
  length: number;
}

export interface Backend {
  /** Human-readable description without secrets, e.g. `sqlite:/path/db`. */
  readonly description: string;
  /** Creates or upgrades the schema; safe to call concurrently from many processes. */
  migrate(): Promise<void>;
  /** Whether every migration of this version of taskhub has been applied; reads only. Throws when the store's schema is newer. */
  isMigrated(): Promise<boolean>;
  close(): Promise<void>;
  /** The store's clock. */
  now(): Promise<number>;

  createInstance(hub: string, request: CreateInstanceRequest): Promise<CreateInstanceOutcome>;
  /** Puts a message in an existing instance's inbox if its status is one of `allowedStatuses`. */
  sendMessage(hub: string, message: OutgoingMessage, allowedStatuses: readonly RuntimeStatus[]): Promise<SendMessageOutcome>;

  /**
   * Puts each message in its instance's inbox as sendMessage would, all in one transaction, at most once per
   * instance and `operationKey`: an instance this key was recorded for gets nothing (`duplicate`, whatever
   * its status now); one that gets its message has the key recorded with it, kept until the instance is
   * deleted. One message per instance. A batch job's apply, which a crash may make run twice
   * (docs/adr/0031-batch-operations-exactly-once.md).
   */
  sendMessagesOnce(hub: string, messages: readonly OutgoingMessage[], allowedStatuses: readonly RuntimeStatus[], operationKey: string): Promise<SendOnceOutcome[]>;

  getInstance(hub: string, instanceId: string, options?: { includeInput?: boolean }): Promise<InstanceRecord | undefined>;
  /**
   * The instances with these ids, each read as getInstance reads it, in one query: the ids of no instance
   * are left out, a repeated id is answered once, the order is the store's. Lets many waits read their
   * statuses together (src/client/finish-watcher.ts).
   */
  getInstances(hub: string, instanceIds: readonly string[], options?: { includeInput?: boolean }): Promise<InstanceRecord[]>;
  getHistory(hub: string, instanceId: string, page?: HistoryPageRequest): Promise<HistoryRecord[]>;
  listInstances(hub: string, request: ListInstancesRequest): Promise<InstancePage>;
  countInstances(hub: string, query: InstanceQuery): Promise<Partial<Record<RuntimeStatus, number>>>;
  /**
   * Instances matching the query per interval of creation time and per status, read from the status index
   * (no instance row is read for a query on statuses and times). Empty intervals are left out; the order is
   * by interval, then status in RUNTIME_STATUSES order.
   */
  instanceHistogram(hub: string, request: HistogramRequest): Promise<HistogramCount[]>;
  /** The hubs that hold at least one instance, in character-code order (hub names are ASCII). */
  listHubs(): Promise<string[]>;

  /** Deletes a finished instance with its history, inbox and activity tasks. */
  purgeInstance(hub: string, instanceId: string): Promise<PurgeOutcome>;
  /** Deletes finished instances matching the query, `batchSize` per transaction; returns how many. */
  purgeInstances(hub: string, query: InstanceQuery, batchSize: number): Promise<number>;
  /** Removes exactly this hub's data; false when it had none. */
  deleteHub(hub: string): Promise<boolean>;

  claimOrchestrations(hub: string, options: ClaimOptions): Promise<Claimed<OrchestrationWorkItem>>;
  /** Applies one step atomically if the lease is still held, and releases the lease. */
  commitOrchestration(hub: string, item: OrchestrationWorkItem, commit: OrchestrationCommit): Promise<StepCommitOutcome>;
  /**
   * Releases the lease without changes, so the work can be claimed again after `retryAfterMs`; `failed`
   * counts the attempt in `failedAttempts` (the step could not be run, as opposed to: not yet).
   */
  abandonOrchestration(hub: string, item: OrchestrationWorkItem, retryAfterMs: number, failed?: boolean): Promise<void>;

  claimActivities(hub: string, options: ClaimOptions): Promise<Claimed<ActivityWorkItem>>;
  /**
   * Deletes the task and puts its TaskCompleted/TaskFailed in the instance's inbox, if the lease is still
   * held. With `claimNext`, the same transaction then claims the instance for `workerId`, as
   * claimOrchestrations would, if it is claimable, nobody holds it and it has no activity task left (a
   * fan-out is claimed by the result that completes it), and returns it as `claimed` (without its history
   * when `claimNext.cachedHistories` holds it current, as for claimOrchestrations).
   */
  completeActivity(hub: string, item: ActivityWorkItem, result: OutgoingMessage, claimNext?: Omit<ClaimOptions, 'max'>): Promise<ActivityCommitOutcome>;
  /**
   * completeActivity and the step its result readies in one transaction, if the task's lease holds. The step
   * is committed, as commitOrchestration would commit it for a claim made at `step.stepAt`, when the
   * instance is as the worker believed and a claim would hand it over: activityStepFallback (step-commit.ts)
   * finds nothing against it (its current execution and history length are the step's, no lease or
   * not-before time holds it, no earlier claim ended without a commit, its inbox has no visible message, it
   * has no activity task left, and `stepAt` is neither after the store's clock nor more than
   * MAX_STEP_TIME_LAG_MS before it). Otherwise the same transaction
   * does what completeActivity(hub, item, result, claimNext) does, and says why.
   */
  completeActivityWithStep(
    hub: string,
    item: ActivityWorkItem,
    result: OutgoingMessage,
    step: ActivityStep,
    claimNext?: Omit<ClaimOptions, 'max'>,
  ): Promise<ActivityStepOutcome>;
  /** Extends the lease of a running activity; false when it was lost. */
  renewActivityLease(hub: string, item: ActivityWorkItem, leaseMs: number): Promise<boolean>;

  /** The earliest time after now at which a message becomes visible or a lease expires, if any. */
  nextWakeAt(hub: string): Promise<number | undefined>;
  /** Hints that work may be ready or an instance finished. Returns an unsubscribe function. */
  subscribe(hub: string, listener: (signal: WorkSignal) => void): () => void;
}
