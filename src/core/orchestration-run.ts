/**
 * One execution of an orchestrator being replayed: history events go in, one at a time; the orchestrator
 * generator is driven by them; the actions it produces are matched against the recorded ones, and what is
 * left at the end are the step's new actions. Past and new events go through the same code path, so a
 * replay takes exactly the decisions the original run took.
 */
import { InvalidArgumentError, UnknownOrchestratorError } from '../errors.js';
import { actionMismatch, actionToEvent, describeAction, isActionEvent, withInput, type Action, type ActionEvent } from './actions.js';
import type { OrchestratorFunction, RetryOptions } from './context.js';
import { OrchestrationContextImpl, type ContextHost } from './context-impl.js';
import { ActionBook } from './action-book.js';
import { ExternalEvents } from './external-events.js';
import { FailureObservations } from './failure-observations.js';
import { NonDeterminismError, TaskFailedError, toFailureDetails } from './failure.js';
import type { EventRaisedEvent, ExecutionStartedEvent, FailureDetails, HistoryEvent, InboxEvent, JsonText } from './history.js';
import { HistoryLedger, isCompletionEvent } from './ledger.js';
import { RetryableTask } from './retry.js';
import { fromJson, toJson } from './serialize.js';
import type { ReplaySafeLogger } from './step.js';
import { InstanceTags } from './tags.js';
import { LeafTask, Task, TimerTask } from './task.js';

export interface RunOptions {
  instanceId: string;
  resolveOrchestrator(name: string): OrchestratorFunction | undefined;
  maxPayloadBytes: number;
  logger?: ReplaySafeLogger;
  /**
   * Rewind only: actions a past step produced but did not record are recorded at the end of that step
   * instead of failing the replay (the failed run dropped them; see rewind.ts).
   */
  repairUnrecordedActions?: boolean;
  /** Told the time the code sees (the step's time) each time it changes, in replay order. */
  onCodeTime?: (time: string) => void;
}

export type RunOutcome =
  | { kind: 'running' }
  /** The code returned; the instance completes once no scheduled task is outstanding (S-MODEL-4). */
  | { kind: 'returned'; result: JsonText | undefined }
  | { kind: 'continuedAsNew'; input: JsonText | undefined; preserveUnprocessedEvents: boolean }
  | { kind: 'failed'; failure: FailureDetails };

type Resumption = { resume: () => unknown; observedFailures: number[] };

const GENERATOR_RULE = 'orchestrators are generator functions (function*, not async) that yield tasks; do asynchronous work in activities';

export class OrchestrationRun implements ContextHost {
  readonly instanceId: string;
  readonly maxPayloadBytes: number;
  /** Replaced by each step a cached run continues with (attach). */
  logger: ReplaySafeLogger | undefined;
  name = '';
  parentInstanceId: string | undefined;
  isReplaying = true;
  private time = '';
  customStatus: JsonText | undefined;
  /** Set while the instance is suspended; the reason is its output. */
  suspension: { reason?: string } | undefined;
  outcome: RunOutcome = { kind: 'running' };
  /** The instance's tags through the replay; after it, `stepChanges` are the new step's setTag / removeTag calls. */
  readonly tags = new InstanceTags();
  /** The task failures the code saw and survived: a rewind keeps them. */
  readonly failures = new FailureObservations();
  /** The replayed events, with the repairs of `repairUnrecordedActions` inserted. */
  readonly history: HistoryEvent[] = [];
  /** Actions recorded by the repair, in task id order. */
  readonly repairedActions: Action[] = [];

  private readonly ledger = new HistoryLedger();
  private readonly events = new ExternalEvents();
  private readonly context = new OrchestrationContextImpl(this);
  private readonly actions = new ActionBook();
  /** Events that arrived while suspended, with their indices, delivered in order on resume. */
  private held: [HistoryEvent, number][] = [];
  private inputJson: JsonText | undefined;
  private generator: Generator<unknown, unknown, unknown> | undefined;
  private waitingOn: Task<unknown> | undefined;
  private continueAsNewRequest: { input: JsonText | undefined; preserveUnprocessedEvents: boolean } | undefined;
  private subOrchestrationCount = 0;
  private guidCount = 0;
  private onCodeTime: ((time: string) => void) | undefined;

  constructor(private readonly options: RunOptions) {
    this.instanceId = options.instanceId;
    this.maxPayloadBytes = options.maxPayloadBytes;
    this.logger = options.logger;
    this.onCodeTime = options.onCodeTime;
  }

  /** Applies committed events (isReplaying stays true). */
  replay(events: readonly HistoryEvent[]): void {
    events.forEach((event, index) => {
      if (event.type === 'OrchestratorCompleted') this.endRecordedStep();
      this.history.push(event);
      this.apply(event, index);
    });
  }

  /**
   * A step's events have been committed: they count as replayed, as a replay of the whole history would
   * have left them (recorded in the ledger and the history, the step's actions matched as recorded, its tag
   * calls done), so that the next step can continue from this run instead of replaying (sticky execution,
   * docs/adr/0028). Only a run whose execution goes on (Running, Suspended) is continued.
   */
  settleStep(events: readonly HistoryEvent[]): void {
    for (const event of events) {
      this.history.push(event);
      // Both are idempotent for the consumed inbox events, which the step applied already (a start seen
      // again resets the tags to those it carries, which the step began from).
      this.ledger.record(event);
      this.tags.observe(event);
      if (isActionEvent(event)) this.matchRecorded(event);
    }
    this.isReplaying = true;
  }

  /** Whether settleStep left the run as a replay would, ready for a next step. */
  isContinuable(): boolean {
    return this.outcome.kind !== 'failed' && this.outcome.kind !== 'continuedAsNew' && this.isReplaying && !this.actions.hasPending();
  }

  /** The next step's logger and code clock, for a cached run continued by another step than the one that made it. */
  attach(step: Pick<RunOptions, 'logger' | 'onCodeTime'>): void {
    this.logger = step.logger;
    this.onCodeTime = step.onCodeTime;
  }

  /** Starts the new step: from here on the code is not replaying and its time is `now`. */
  beginStep(now: string): void {
    this.isReplaying = false;
    this.currentTime = now;
  }

  get currentTime(): string {
    return this.time;
  }

  set currentTime(time: string) {
    this.time = time;
    this.onCodeTime?.(time);
  }

  /** Whether an inbox event changes anything: duplicates and completions of unknown or finished tasks do not. */
  accepts(event: InboxEvent): boolean {
    if (event.type === 'ExecutionStarted') return !this.ledger.hasExecutionStarted;
    if (event.type === 'ExecutionSuspended') return this.suspension === undefined;
    if (event.type === 'ExecutionResumed') return this.suspension !== undefined;
    if (event.type === 'EventRaised') return true;
    if (isCompletionEvent(event)) return this.ledger.completesOpenTask(event);
    return false;
  }

  applyNew(event: InboxEvent): void {
    this.apply(event, -1);
  }

  /** Actions produced in this step, in task id order. */
  newActions(): Action[] {
    return this.actions.pending();
  }

  hasOutstandingTasks(): boolean {
    return this.actions.hasOutstandingTasks();
  }

  /** The ids of the activities the history has scheduled and not yet completed or failed. */
  openActivities(): number[] {
    return this.ledger.openActivities();
  }

  unconsumedEvents(): EventRaisedEvent[] {
    return this.events.unconsumed();
  }

  // ---- applying events ----

  private apply(event: HistoryEvent, index: number): void {
    this.ledger.record(event);
    this.tags.observe(event);
    // A failed execution only records what arrives; nothing may run for it any more (not even a retry).
    if (this.outcome.kind === 'failed') return;
    try {
      this.dispatch(event, index);
    } catch (error) {
      this.fail(error);
    }
  }

  private dispatch(event: HistoryEvent, index: number): void {
    switch (event.type) {
      case 'OrchestratorStarted':
        this.currentTime = event.timestamp;
        return;
      case 'ExecutionSuspended':
        this.suspension ??= event.reason === undefined ? {} : { reason: event.reason };
        return;
      case 'ExecutionResumed':
        this.resume();
        return;
      case 'TaskScheduled':
      case 'TimerCreated':
      case 'SubOrchestrationInstanceCreated':
      case 'EventSent':
        this.matchRecorded(event);
        return;
      case 'ExecutionStarted':
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
      case 'TimerFired':
      case 'EventRaised':
        if (this.suspension) this.held.push([event, index]);
        else this.deliver(event, index);
        return;
      default:
        // OrchestratorCompleted, ExecutionRewound and the terminal events change nothing in the code.
        return;
    }
  }

  private resume(): void {
    if (!this.suspension) return;
    this.suspension = undefined;
    const held = this.held;
    this.held = [];
    for (const [event, index] of held) this.deliver(event, index);
  }

  private deliver(event: HistoryEvent, index: number): void {
    switch (event.type) {
      case 'ExecutionStarted':
        this.start(event);
        return;
      case 'EventRaised':
        // Once the code has finished, its waiters are orphans: keep the event (continue-as-new may carry it).
        if (this.outcome.kind === 'running') this.events.deliver(event);
        else this.events.keep(event);
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        this.actions.take(event.taskScheduledId)?.complete(fromJson(event.result));
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed': {
        const task = this.actions.take(event.taskScheduledId);
        if (task) task.fail(this.taskFailure(task, event.failureDetails, index));
        break;
      }
      case 'TimerFired':
        this.actions.take(event.timerId)?.complete(undefined);
        break;
      default:
        return;
    }
    this.resumeCodeIfReady();
  }

  private taskFailure(task: LeafTask<unknown>, details: FailureDetails, index: number): TaskFailedError {
    const kind = task.kind === 'sub-orchestration' ? 'sub-orchestration' : 'activity';
    const error = new TaskFailedError(kind, task.name, task.id, details);
    this.failures.record(error, index);
    return error;
  }

  /** A recorded action event: the code must have produced the same action at that task id. */
  private matchRecorded(event: ActionEvent): void {
    const mismatch = actionMismatch(event, this.actions.produced(event.eventId));
    // replay() has just appended the event to `history`, which holds the execution's history from sequence 0.
    if (mismatch) throw new NonDeterminismError(this.instanceId, event.eventId, mismatch.recorded, mismatch.produced, this.history.length - 1);
    this.actions.recorded(event.eventId);
  }

  /** At the end of a recorded step every action the code produced in it must have been recorded. */
  private endRecordedStep(): void {
    if (!this.actions.hasPending() || this.outcome.kind === 'failed') return;
    const unrecorded = this.actions.pending();
    if (!this.options.repairUnrecordedActions) {
      const [first] = unrecorded;
      // Called before the step's OrchestratorCompleted is appended: it will sit at history.length.
      if (first) this.fail(new NonDeterminismError(this.instanceId, first.id, 'no action', describeAction(first), this.history.length));
      return;
    }
    for (const action of unrecorded) {
      const event = actionToEvent(action, this.currentTime);
      this.history.push(event);
      this.ledger.record(event);
      this.repairedActions.push(action);
    }
    this.actions.dropPending();
  }

  // ---- driving the orchestrator code ----

  private start(event: ExecutionStartedEvent): void {
    this.name = event.name;
    this.parentInstanceId = event.parentInstance?.instanceId;
    this.inputJson = event.input;
    const orchestrator = this.options.resolveOrchestrator(event.name);
    if (!orchestrator) throw new UnknownOrchestratorError(event.name);
    const input = fromJson(event.input);
    let produced: unknown;
    try {
      produced = orchestrator(this.context, input);
    } catch (error) {
      this.fail(error);
      return;
    }
    // A Promise the code made and taskhub will not await must not reject unobserved: that ends the process.
    if (isThenable(produced)) markHandled(produced);
    if (isAsyncIterable(produced)) {
      this.fail(new InvalidArgumentError(`orchestrator '${event.name}' is an async generator function (async function*): ${GENERATOR_RULE}`));
    } else if (isGenerator(produced)) {
      this.generator = produced;
      this.advance({ resume: () => produced.next(), observedFailures: [] });
    } else if (isThenable(produced)) {
      this.fail(new InvalidArgumentError(`orchestrator '${event.name}' returned a Promise: ${GENERATOR_RULE}`));
    } else {
      this.codeReturned(produced);
    }
  }

  private resumeCodeIfReady(): void {
    const task = this.waitingOn;
    if (!task?.isCompleted || this.outcome.kind !== 'running') return;
    this.waitingOn = undefined;
    this.advance(this.resumption(task));
  }

  /**
   * Runs the generator until it waits on an unfinished task, returns or throws. The task failures it sees
   * on the way survive only if it gets through: if it dies, a rewind removes every one of them. A yield of
   * something other than a task is thrown back into the code, which may catch it once: a second one in a
   * row fails the execution, or a generator that catches and yields again would loop for ever.
   */
  private advance(first: Resumption): void {
    let next = first;
    const observed: number[] = [];
    let refusedYield = false;
    for (;;) {
      observed.push(...next.observedFailures);
      let step: unknown;
      try {
        step = next.resume();
      } catch (error) {
        this.fail(error);
        return;
      }
      if (!isIteratorResult(step)) {
        this.fail(new InvalidArgumentError(`orchestrator '${this.name}' is not a generator of taskhub tasks (its next() gave ${describeValue(step)}): ${GENERATOR_RULE}`));
        return;
      }
      if (step.done) {
        this.codeReturned(step.value);
        if (this.outcome.kind !== 'failed') this.failures.survive(observed);
        return;
      }
      const yielded = step.value;
      if (!(yielded instanceof Task)) {
        if (isThenable(yielded)) markHandled(yielded);
        const error = new InvalidArgumentError(`orchestrator '${this.name}' yielded ${describeValue(yielded)}: yield only tasks from the context, Task.all or Task.any`);
        if (refusedYield) {
          this.fail(error);
          return;
        }
        refusedYield = true;
        next = { resume: () => this.generatorOrFail().throw(error), observedFailures: [] };
        continue;
      }
      refusedYield = false;
      if (!yielded.isCompleted) {
        this.waitingOn = yielded;
        this.failures.survive(observed);
        return;
      }
      next = this.resumption(yielded);
    }
  }

  private resumption(task: Task<unknown>): Resumption {
    const generator = this.generatorOrFail();
    const observedFailures = this.failures.seenThrough(task);
    if (task.isFaulted) {
      const error = task.exception;
      return { resume: () => generator.throw(error), observedFailures };
    }
    return { resume: () => generator.next(task.result), observedFailures };
  }

  private generatorOrFail(): Generator<unknown, unknown, unknown> {
    if (!this.generator) throw new Error('the orchestrator generator is not running');
    return this.generator;
  }

  private codeReturned(value: unknown): void {
    this.generator = undefined;
    if (value instanceof Task) {
      this.fail(new InvalidArgumentError(`orchestrator '${this.name}' returned a task: make it a generator function (function*) and yield the task`));
      return;
    }
    if (this.continueAsNewRequest) {
      this.outcome = { kind: 'continuedAsNew', ...this.continueAsNewRequest };
      return;
    }
    try {
      this.outcome = { kind: 'returned', result: toJson(value, `the output of orchestration '${this.name}'`, this.maxPayloadBytes) };
    } catch (error) {
      this.fail(error);
    }
  }

  /** Ends the execution as Failed. The actions of the failing step are dropped: nothing runs for a failed instance. */
  fail(error: unknown): void {
    if (this.outcome.kind === 'failed') return;
    this.outcome = { kind: 'failed', failure: toFailureDetails(error) };
    this.generator = undefined;
    this.waitingOn = undefined;
    this.actions.dropPending();
  }

  // ---- ContextHost: what the code asks for ----

  input(): unknown {
    return fromJson(this.inputJson);
  }

  scheduleActivity(name: string, input: JsonText | undefined): Task<unknown> {
    const id = this.actions.add((taskId) => withInput({ kind: 'activity', id: taskId, name }, input));
    return this.actions.await(new LeafTask('activity', name, id));
  }

  scheduleSubOrchestration(name: string, instanceId: string, input: JsonText | undefined): Task<unknown> {
    const id = this.actions.add((taskId) => withInput({ kind: 'subOrchestration', id: taskId, name, instanceId }, input));
    return this.actions.await(new LeafTask('sub-orchestration', name, id));
  }

  scheduleTimer(fireAt: string): TimerTask {
    const id = this.actions.add((taskId) => ({ kind: 'timer', id: taskId, fireAt }));
    return this.actions.await(new TimerTask(id, fireAt));
  }

  sendEvent(instanceId: string, name: string, input: JsonText | undefined): void {
    this.actions.add((taskId) => withInput({ kind: 'event', id: taskId, instanceId, name }, input));
  }

  waitForEvent(name: string): Task<unknown> {
    return this.events.wait(name);
  }

  withRetry(options: RetryOptions, scheduleAttempt: () => Task<unknown>, what: string): Task<unknown> {
    return new RetryableTask(options, {
      scheduleAttempt,
      scheduleRetryTimer: (fireAt) => this.scheduleTimer(fireAt),
      now: () => Date.parse(this.currentTime),
      absorbed: (failure) => this.failures.absorbed(failure),
      retrying: (attempt, fireAt, failure) => {
        if (this.isReplaying) return;
        const reason = failure instanceof Error ? failure.message : String(failure);
        this.logger?.warn(`${what} failed on attempt ${attempt} of ${options.maxNumberOfAttempts}; the next attempt starts at ${fireAt}: ${reason}`);
      },
    });
  }

  continueAsNew(input: JsonText | undefined, preserveUnprocessedEvents: boolean): void {
    this.continueAsNewRequest = { input, preserveUnprocessedEvents };
  }

  setCustomStatus(value: JsonText | undefined): void {
    this.customStatus = value;
  }

  changeTag(key: string, value: string | undefined): void {
    // Replayed calls are checked too, so that a refusal the code caught is replayed as it happened.
    this.tags.change(key, value);
  }

  nextSubOrchestrationNumber(): number {
    return this.subOrchestrationCount++;
  }

  nextGuidNumber(): number {
    return this.guidCount++;
  }
}

function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Generator).next === 'function' && typeof (value as Generator).throw === 'function';
}

/** An async generator's next() gives a Promise, never a result: driving it as a generator would spin. */
function isAsyncIterable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function isIteratorResult(value: unknown): value is IteratorResult<unknown, unknown> {
  return typeof value === 'object' && value !== null && 'done' in value && typeof (value).done === 'boolean';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function markHandled(promise: PromiseLike<unknown>): void {
  try {
    promise.then(undefined, () => undefined);
  } catch {
    // A then() that throws belongs to no real Promise: nothing can reject unobserved.
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (isThenable(value)) return 'a Promise (orchestrator code cannot await: call an activity)';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `a ${typeof value}`;
}
