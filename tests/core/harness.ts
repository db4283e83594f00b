/**
 * A tiny driver for engine tests: it feeds each step's newEvents back as the next step's pastEvents, and
 * can play the runtime's part (run activities, fire timers, run child orchestrations) in memory.
 */
import { executeOrchestrationStep } from '../../src/core/executor.js';
import { toFailureDetails } from '../../src/core/failure.js';
import type { OrchestratorFunction } from '../../src/core/context.js';
import type { HistoryEvent, InboxEvent, ParentInstance } from '../../src/core/history.js';
import type { HistoryLimits, OrchestrationStepResult, OutboundWork, ReplaySafeLogger } from '../../src/core/step.js';
import { newExecutionStartedEvent } from '../../src/testing/history-builders.js';

export const T0 = Date.parse('2024-05-01T10:00:00.000Z');

/** Activities by name; inputs are typed by each test, hence `never` (any function fits). */
export type Activities = Record<string, (input: never) => unknown>;

export interface ScenarioOptions {
  instanceId?: string;
  maxPayloadBytes?: number;
  logger?: ReplaySafeLogger;
  /** Milliseconds the clock moves between steps. */
  tickMs?: number;
  historyLimits?: HistoryLimits;
}

export class Scenario {
  readonly instanceId: string;
  history: HistoryEvent[] = [];
  last!: OrchestrationStepResult;
  /** Work the driver did not perform itself (events to other instances, terminations, rewinds). */
  readonly outbox: OutboundWork[] = [];
  readonly children = new Map<string, Scenario>();
  clock = T0;

  constructor(
    readonly orchestrators: Record<string, OrchestratorFunction>,
    private readonly options: ScenarioOptions = {},
  ) {
    this.instanceId = options.instanceId ?? 'instance-1';
  }

  get now(): string {
    return new Date(this.clock).toISOString();
  }

  /** One step: these inbox events at the current time (then the clock moves on). */
  step(newEvents: InboxEvent[]): OrchestrationStepResult {
    const result = executeOrchestrationStep({
      instanceId: this.instanceId,
      pastEvents: this.history,
      newEvents,
      now: this.now,
      resolveOrchestrator: (name) => this.orchestrators[name],
      maxPayloadBytes: this.options.maxPayloadBytes ?? 64 * 1024,
      logger: this.options.logger,
      historyLimits: this.options.historyLimits,
    });
    this.history = result.replaceHistory ? [...result.newEvents] : [...this.history, ...result.newEvents];
    this.last = result;
    this.clock += this.options.tickMs ?? 1000;
    return result;
  }

  start(name: string, input?: unknown, parentInstance?: ParentInstance): OrchestrationStepResult {
    return this.step([newExecutionStartedEvent(name, input, { timestamp: this.now, ...(parentInstance ? { parentInstance } : {}) })]);
  }

  types(): string[] {
    return this.history.map((event) => event.type);
  }

  /**
   * Plays the runtime: performs the work of the last step, one completion per step, until no work is left.
   * Activities run synchronously (a throw fails the task); timers fire in fireAt order, moving the clock.
   */
  drive(activities: Activities, limit = 500): OrchestrationStepResult {
    const queue: OutboundWork[] = [...this.last.work];
    for (let steps = 0; queue.length > 0; steps++) {
      if (steps > limit) throw new Error('scenario did not settle');
      queue.sort((a, b) => (a.kind === 'timer' ? 1 : 0) - (b.kind === 'timer' ? 1 : 0) || fireTime(a) - fireTime(b));
      const work = queue.shift()!;
      const event = this.perform(work, activities);
      if (event) queue.push(...this.step([event]).work);
    }
    return this.last;
  }

  private perform(work: OutboundWork, activities: Activities): InboxEvent | undefined {
    const timestamp = this.now;
    switch (work.kind) {
      case 'activity': {
        const fn = activities[work.name] as ((input: unknown) => unknown) | undefined;
        if (!fn) throw new Error(`no activity '${work.name}' in the scenario`);
        try {
          const result = JSON.stringify(fn(work.input === undefined ? undefined : JSON.parse(work.input)));
          return { type: 'TaskCompleted', eventId: -1, timestamp, taskScheduledId: work.taskId, ...(result === undefined ? {} : { result }) };
        } catch (error) {
          return { type: 'TaskFailed', eventId: -1, timestamp, taskScheduledId: work.taskId, failureDetails: toFailureDetails(error) };
        }
      }
      case 'timer':
        this.clock = Math.max(this.clock, Date.parse(work.fireAt));
        return { type: 'TimerFired', eventId: -1, timestamp: this.now, timerId: work.timerId, fireAt: work.fireAt };
      case 'subOrchestration': {
        const child = new Scenario(this.orchestrators, { ...this.options, instanceId: work.instanceId });
        child.clock = this.clock;
        this.children.set(work.instanceId, child);
        child.start(work.name, work.input === undefined ? undefined : JSON.parse(work.input), {
          instanceId: this.instanceId,
          executionId: 'execution-1',
          name: 'parent',
          taskScheduledId: work.taskId,
        });
        const done = child.drive(activities);
        this.clock = Math.max(this.clock, child.clock);
        if (done.status === 'Completed') {
          return { type: 'SubOrchestrationInstanceCompleted', eventId: -1, timestamp: this.now, taskScheduledId: work.taskId, ...(done.output === undefined ? {} : { result: done.output }) };
        }
        if (done.status === 'Failed' && done.failureDetails) {
          return { type: 'SubOrchestrationInstanceFailed', eventId: -1, timestamp: this.now, taskScheduledId: work.taskId, failureDetails: done.failureDetails };
        }
        this.outbox.push(work);
        return undefined;
      }
      default:
        this.outbox.push(work);
        return undefined;
    }
  }
}

function fireTime(work: OutboundWork): number {
  return work.kind === 'timer' ? Date.parse(work.fireAt) : 0;
}

/** Output JSON parsed, for assertions. */
export function outputOf(result: OrchestrationStepResult): unknown {
  return result.output === undefined ? undefined : JSON.parse(result.output);
}
