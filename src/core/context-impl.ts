/**
 * The OrchestrationContext orchestrator code receives. It validates and serialises arguments at the call
 * site (so a bad payload throws where the code made the mistake) and hands the rest to the engine.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ActivityRef, ContinueAsNewOptions, OrchestrationContext, OrchestratorRef, RetryOptions } from './context.js';
import { ORCHESTRATION_GUID_NAMESPACE, uuidV5 } from './guid.js';
import type { JsonText } from './history.js';
import { validateInstanceId, validateName } from './names.js';
import { validateRetryOptions } from './retry.js';
import { toJson } from './serialize.js';
import { validateTagKey, validateTagValue } from './tags.js';
import type { ReplaySafeLogger } from './step.js';
import type { Task, TimerTask } from './task.js';

/** What the context needs from the engine. */
export interface ContextHost {
  readonly instanceId: string;
  readonly name: string;
  readonly parentInstanceId: string | undefined;
  readonly isReplaying: boolean;
  /** ISO time of the latest OrchestratorStarted applied. */
  readonly currentTime: string;
  readonly maxPayloadBytes: number;
  readonly logger: ReplaySafeLogger | undefined;
  input(): unknown;
  scheduleActivity(name: string, input: JsonText | undefined): Task<unknown>;
  scheduleSubOrchestration(name: string, instanceId: string, input: JsonText | undefined): Task<unknown>;
  scheduleTimer(fireAt: string): TimerTask;
  sendEvent(instanceId: string, name: string, input: JsonText | undefined): void;
  waitForEvent(name: string): Task<unknown>;
  /** `what` names the call in the log line of each retry, e.g. "activity 'Charge'". */
  withRetry(options: RetryOptions, scheduleAttempt: () => Task<unknown>, what: string): Task<unknown>;
  continueAsNew(input: JsonText | undefined, preserveUnprocessedEvents: boolean): void;
  setCustomStatus(value: JsonText | undefined): void;
  /** `value` undefined removes the tag. */
  changeTag(key: string, value: string | undefined): void;
  /** Counts sub-orchestration calls of the execution, for default child ids. */
  nextSubOrchestrationNumber(): number;
  /** Counts newGuid calls of the execution. */
  nextGuidNumber(): number;
}

type LogLevel = 'info' | 'warn' | 'error';

export class OrchestrationContextImpl implements OrchestrationContext {
  readonly log: OrchestrationContext['log'];

  constructor(private readonly host: ContextHost) {
    const write = (level: LogLevel) => (message: string, ...args: unknown[]): void => {
      if (!host.isReplaying) host.logger?.[level](message, ...args);
    };
    this.log = { info: write('info'), warn: write('warn'), error: write('error') };
  }

  get instanceId(): string {
    return this.host.instanceId;
  }

  get parentInstanceId(): string | undefined {
    return this.host.parentInstanceId;
  }

  get name(): string {
    return this.host.name;
  }

  get isReplaying(): boolean {
    return this.host.isReplaying;
  }

  get currentUtcDateTime(): Date {
    return new Date(this.host.currentTime);
  }

  getInput<T = unknown>(): T {
    return this.host.input() as T;
  }

  callActivity(activity: string | ActivityRef<never, unknown>, input?: unknown): Task<never> {
    const name = nameOf(activity, 'activity');
    const json = this.serialise(input, `the input of activity '${name}'`);
    return this.host.scheduleActivity(name, json) as Task<never>;
  }

  callActivityWithRetry(activity: string | ActivityRef<never, unknown>, retry: RetryOptions, input?: unknown): Task<never> {
    const name = nameOf(activity, 'activity');
    validateRetryOptions(retry);
    const json = this.serialise(input, `the input of activity '${name}'`);
    return this.host.withRetry(retry, () => this.host.scheduleActivity(name, json), `activity '${name}'`) as Task<never>;
  }

  callSubOrchestrator(orchestrator: string | OrchestratorRef<never, unknown>, input?: unknown, instanceId?: string): Task<never> {
    const name = nameOf(orchestrator, 'orchestrator');
    const json = this.serialise(input, `the input of sub-orchestration '${name}'`);
    const childId = this.childInstanceId(instanceId);
    return this.host.scheduleSubOrchestration(name, childId, json) as Task<never>;
  }

  callSubOrchestratorWithRetry(
    orchestrator: string | OrchestratorRef<never, unknown>,
    retry: RetryOptions,
    input?: unknown,
    instanceId?: string,
  ): Task<never> {
    const name = nameOf(orchestrator, 'orchestrator');
    validateRetryOptions(retry);
    const json = this.serialise(input, `the input of sub-orchestration '${name}'`);
    // Every attempt re-creates the same child instance (S-MODEL-2).
    const childId = this.childInstanceId(instanceId);
    return this.host.withRetry(retry, () => this.host.scheduleSubOrchestration(name, childId, json), `sub-orchestration '${name}'`) as Task<never>;
  }

  createTimer(fireAt: Date): TimerTask {
    if (!(fireAt instanceof Date) || Number.isNaN(fireAt.getTime())) {
      throw new InvalidArgumentError(`createTimer needs a valid Date, not ${String(fireAt)}`);
    }
    return this.host.scheduleTimer(fireAt.toISOString());
  }

  waitForExternalEvent(name: string): Task<never> {
    validateName('an external event name', name);
    return this.host.waitForEvent(name) as Task<never>;
  }

  sendEvent(instanceId: string, name: string, data?: unknown): void {
    // The rules of the client: an instance or event that this code names must be one a client could name.
    validateInstanceId(instanceId);
    validateName('an event name', name);
    this.host.sendEvent(instanceId, name, this.serialise(data, `the data of event '${name}'`));
  }

  continueAsNew(input: unknown, options?: ContinueAsNewOptions): void {
    const json = this.serialise(input, 'the input of continueAsNew');
    this.host.continueAsNew(json, options?.preserveUnprocessedEvents === true);
  }

  setCustomStatus(value: unknown): void {
    this.host.setCustomStatus(this.serialise(value, 'the custom status'));
  }

  setTag(key: string, value: string): void {
    validateTagKey(key, 'setTag');
    this.host.changeTag(key, validateTagValue(key, value, 'setTag'));
  }

  removeTag(key: string): void {
    this.host.changeTag(validateTagKey(key, 'removeTag'), undefined);
  }

  newGuid(): string {
    const name = `${this.host.instanceId}_${this.currentUtcDateTime.toISOString()}_${this.host.nextGuidNumber()}`;
    return uuidV5(name, ORCHESTRATION_GUID_NAMESPACE);
  }

  private serialise(value: unknown, what: string): JsonText | undefined {
    return toJson(value, what, this.host.maxPayloadBytes);
  }

  private childInstanceId(explicit: string | undefined): string {
    const number = this.host.nextSubOrchestrationNumber();
    if (explicit === undefined) return `${this.host.instanceId}:${number}`;
    return validateInstanceId(explicit);
  }
}

function nameOf(target: string | { name: string }, kind: string): string {
  return validateName(`an ${kind} name`, typeof target === 'string' ? target : target?.name);
}
