/**
 * Turns one claimed orchestration work item into one commit: drop stale messages, run the pure engine,
 * and translate its result (events, outbound work, new state) into the backend's OrchestrationCommit: the
 * instance row and the ops that write the rest, in the order the rules need (see translate).
 */
import type { CommitOp, CreateInstanceRequest, NewActivityTask, OrchestrationCommit, OrchestrationWorkItem, OutgoingMessage } from '../backend/backend.js';
import type { ExecutionStartedEvent, HistoryEvent, InboxEvent, JsonText, ParentInstance } from '../core/history.js';
import { isFinished } from '../core/history.js';
import type { OrchestratorFunction } from '../core/context.js';
import type { HistoryLimits, OrchestrationStepResult, ReplaySafeLogger } from '../core/step.js';
import { runOrchestrationStep } from '../core/executor.js';
import type { OrchestrationRun } from '../core/orchestration-run.js';
import { poisonedStep, timedOutStep, type FailedStepInput } from '../core/failed-step.js';
import { eventRaisedMessage, parentNotification, timerFiredMessage } from './messages.js';

export interface StepDependencies {
  resolveOrchestrator(name: string): OrchestratorFunction | undefined;
  maxPayloadBytes: number;
  newExecutionId(): string;
  logger?: ReplaySafeLogger;
  historyLimits?: HistoryLimits;
  /** See OrchestrationStepInput.onCodeTime. */
  onCodeTime?: (time: string) => void;
}

/** A claimed step with the history it runs on: the one the claim read, or the one the worker holds (sticky execution). */
export type StepItem = OrchestrationWorkItem & { history: HistoryEvent[] };

/** A claimed step with the history the claim read: a claim made without `cachedHistories` always has it. */
export function claimedStep(item: OrchestrationWorkItem): StepItem {
  if (!item.history) throw new Error(`the claim of instance '${item.instance.instanceId}' came without its history`);
  return { ...item, history: item.history };
}

/**
 * A run to keep once the step is committed: settled with the step's events it is the replayed state of
 * the whole new history, `historyLength` events of execution `executionId` (docs/adr/0028).
 */
export interface Continuation {
  run: OrchestrationRun;
  events: HistoryEvent[];
  executionId: string;
  historyLength: number;
}

export type StepDecision =
  | { kind: 'commit'; commit: OrchestrationCommit; continuation?: Continuation }
  /**
   * Nothing can be done yet (events for an instance whose scheduled start is still ahead), or, `failed`,
   * the step could not be run and is retried later.
   */
  | { kind: 'abandon'; retryAfterMs: number; failed?: boolean };

/** `cached`: a run that has replayed or settled exactly `item.history`, continued instead of a replay. */
export function planOrchestrationStep(item: StepItem, deps: StepDependencies, cached?: OrchestrationRun): StepDecision {
  const { instance, history } = item;
  const consumedMessageIds = item.messages.map((message) => message.id);
  const newEvents = currentEvents(item);

  if (isFinished(instance.status) && !(instance.status === 'Failed' && newEvents.some((e) => e.type === 'ExecutionRewound'))) {
    // Messages for a finished execution (late activity results, events) are discarded, as Durable Functions does.
    return { kind: 'commit', commit: unchangedInstanceCommit(item, consumedMessageIds) };
  }
  if (newEvents.length === 0) return { kind: 'commit', commit: unchangedInstanceCommit(item, consumedMessageIds) };

  const now = new Date(item.claimedAt).toISOString();
  const { result, run } = runOrchestrationStep({
    instanceId: instance.instanceId,
    pastEvents: history,
    newEvents,
    now,
    resolveOrchestrator: (name) => deps.resolveOrchestrator(name),
    maxPayloadBytes: deps.maxPayloadBytes,
    logger: deps.logger,
    historyLimits: deps.historyLimits,
    onCodeTime: deps.onCodeTime,
  }, cached);
  if (result.status === 'Pending' && result.newEvents.length === 0) {
    const startsAt = instance.scheduledStartAt ?? item.claimedAt + 1000;
    return { kind: 'abandon', retryAfterMs: Math.max(startsAt - item.claimedAt, 10) };
  }
  const commit = translate(item, result, consumedMessageIds, now, deps);
  if (!run) return { kind: 'commit', commit };
  const continuation = { run, events: result.newEvents, executionId: instance.executionId, historyLength: item.historyLength + result.newEvents.length };
  return { kind: 'commit', commit, continuation };
}

/** T18: the step failed to commit too often; the instance fails without the code being run again. */
export function planPoisonedStep(item: StepItem, deps: StepDependencies): StepDecision {
  return planFailedStep(item, deps, (input) => poisonedStep(input, item.failedAttempts, item.instance.customStatus));
}

/** The step's code overran the step time limit: the instance fails without the code being run again. */
export function planTimedOutStep(item: StepItem, deps: StepDependencies, limitMs: number): StepDecision {
  return planFailedStep(item, deps, (input) => timedOutStep(input, item.instance.name, limitMs, item.instance.customStatus));
}

function planFailedStep(item: StepItem, deps: StepDependencies, fail: (input: FailedStepInput) => OrchestrationStepResult): StepDecision {
  const { instance, history } = item;
  const now = new Date(item.claimedAt).toISOString();
  const result = fail({ instanceId: instance.instanceId, pastEvents: history, newEvents: currentEvents(item), now });
  return { kind: 'commit', commit: translate(item, result, item.messages.map((message) => message.id), now, deps) };
}

/** The inbox events addressed to the current execution (others are stale and dropped). */
function currentEvents(item: OrchestrationWorkItem): InboxEvent[] {
  const { executionId } = item.instance;
  return item.messages.filter((m) => m.executionId === undefined || m.executionId === executionId).map((m) => m.event);
}

function unchangedInstanceCommit(item: OrchestrationWorkItem, consumedMessageIds: string[]): OrchestrationCommit {
  const { instance } = item;
  return {
    instance: { status: instance.status, output: instance.output, customStatus: instance.customStatus, unchanged: true },
    ops: [{ op: 'deleteMessages', ids: consumedMessageIds }],
  };
}

/**
 * The order of the ops is the rules': the history, then the consumed messages; a finished instance's inbox
 * and unleased tasks are dropped before anything is sent, so that what it sends itself stays; its tasks;
 * sub-orchestrations before messages, so that a message to a child created by this step reaches it; and,
 * on continue-as-new, the messages that arrived during the step go behind those it sends to itself.
 */
function translate(
  item: StepItem,
  result: OrchestrationStepResult,
  consumedMessageIds: string[],
  now: string,
  deps: StepDependencies,
): OrchestrationCommit {
  const { instance } = item;
  const started = findExecutionStarted(item.history, result.newEvents);
  const selfId = instance.instanceId;
  const executionId = instance.executionId;
  const messages: OutgoingMessage[] = [];
  const createInstances: CommitOp[] = [];
  const activities: NewActivityTask[] = [];
  const finished = isFinished(result.status);

  for (const work of result.work) {
    switch (work.kind) {
      case 'activity':
        activities.push({ taskId: work.taskId, name: work.name, input: work.input });
        break;
      case 'timer':
        messages.push(timerFiredMessage(selfId, executionId, work.timerId, work.fireAt));
        break;
      case 'event':
        messages.push(eventRaisedMessage(work.instanceId, work.name, work.input, now));
        break;
      case 'terminate':
        messages.push({ instanceId: work.instanceId, event: { type: 'ExecutionTerminated', eventId: -1, timestamp: now, reason: work.reason, recursive: true } });
        break;
      case 'rewind':
        messages.push({ instanceId: work.instanceId, event: { type: 'ExecutionRewound', eventId: -1, timestamp: now, reason: work.reason } });
        break;
      case 'subOrchestration':
        createInstances.push({
          op: 'createInstance',
          ...subOrchestrationStart({ instanceId: selfId, executionId, name: instance.name, taskScheduledId: work.taskId }, work, now, deps.newExecutionId()),
        });
        break;
    }
  }

  if (finished && started?.parentInstance) {
    const notification = parentNotification(
      started.parentInstance,
      { instanceId: selfId, status: result.status, output: result.output, failureDetails: result.failureDetails },
      now,
    );
    if (notification) messages.push(notification);
  }

  if (result.status === 'ContinuedAsNew' && result.continuedAsNew) {
    const nextExecutionId = deps.newExecutionId();
    const nextStart: ExecutionStartedEvent = {
      type: 'ExecutionStarted',
      eventId: -1,
      timestamp: now,
      name: instance.name,
      executionId: nextExecutionId,
      input: result.continuedAsNew.input,
      parentInstance: started?.parentInstance,
      ...(result.continuedAsNew.tags ? { tags: result.continuedAsNew.tags } : {}),
    };
    // Work of the old execution other than events to other instances is dropped with it.
    const sent: OutgoingMessage[] = [
      ...messages.filter((m) => m.instanceId !== selfId),
      { instanceId: selfId, executionId: nextExecutionId, event: nextStart },
      ...result.continuedAsNew.carryOverEvents.map((event) => ({ instanceId: selfId, executionId: nextExecutionId, event })),
    ];
    return {
      instance: {
        status: 'ContinuedAsNew',
        executionId: nextExecutionId,
        input: result.continuedAsNew.input,
        customStatus: result.customStatus,
      },
      ops: [
        { op: 'replaceHistory', events: [] },
        { op: 'deleteMessages', ids: consumedMessageIds },
        ...createInstances,
        ...sent.map((message): CommitOp => ({ op: 'deliverMessage', message })),
        { op: 'requeueMessages' },
        ...tagOps(result),
      ],
    };
  }

  const ops: CommitOp[] = [
    result.replaceHistory ? { op: 'replaceHistory', events: result.newEvents } : { op: 'appendHistory', events: result.newEvents },
    { op: 'deleteMessages', ids: consumedMessageIds },
  ];
  if (finished) ops.push({ op: 'deleteAllMessages' }, { op: 'dropUnleasedTasks' });
  if (activities.length > 0) ops.push({ op: 'insertTasks', tasks: activities });
  ops.push(...createInstances, ...messages.map((message): CommitOp => ({ op: 'deliverMessage', message })), ...tagOps(result));
  return { instance: { status: result.status, output: result.output, customStatus: result.customStatus }, ops };
}

function tagOps(result: OrchestrationStepResult): CommitOp[] {
  return result.tagChanges ? [{ op: 'setTags', set: result.tagChanges.set, remove: result.tagChanges.remove }] : [];
}

function subOrchestrationStart(
  parent: ParentInstance,
  work: { taskId: number; name: string; instanceId: string; input?: JsonText },
  now: string,
  executionId: string,
): { request: CreateInstanceRequest; onConflict: OutgoingMessage } {
  const startEvent: InboxEvent = {
    type: 'ExecutionStarted',
    eventId: -1,
    timestamp: now,
    name: work.name,
    executionId,
    input: work.input,
    parentInstance: parent,
  };
  return {
    request: { instanceId: work.instanceId, executionId, name: work.name, input: work.input, parent, startEvent },
    onConflict: {
      instanceId: parent.instanceId,
      executionId: parent.executionId,
      event: {
        type: 'SubOrchestrationInstanceFailed',
        eventId: -1,
        timestamp: now,
        taskScheduledId: work.taskId,
        failureDetails: {
          errorType: 'InstanceExistsError',
          errorMessage: `cannot start sub-orchestration '${work.name}': an unfinished instance with id '${work.instanceId}' already exists`,
        },
      },
    },
  };
}

function findExecutionStarted(history: readonly HistoryEvent[], newEvents: readonly HistoryEvent[]): ExecutionStartedEvent | undefined {
  for (const event of history) if (event.type === 'ExecutionStarted') return event;
  for (const event of newEvents) if (event.type === 'ExecutionStarted') return event;
  return undefined;
}
