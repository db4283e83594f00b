/**
 * Replays a recorded history against the current orchestrator code, step by step, and throws a
 * NonDeterminismError at the first step the code would record differently (T13 in docs/reliability.md).
 * Keep histories of real runs as fixtures and call this on every build: a code change that would break
 * running instances fails the build instead of failing the instances.
 */
import { actionMismatch, describeEvent, eventToAction, isActionEvent } from '../core/actions.js';
import type { OrchestratorFunction } from '../core/context.js';
import { executeOrchestrationStep } from '../core/executor.js';
import { NonDeterminismError } from '../core/failure.js';
import type { HistoryEvent, InboxEvent } from '../core/history.js';
import type { OrchestrationStepResult } from '../core/step.js';

export interface ReplayHistoryOptions {
  instanceId: string;
  /** One execution's history, as recorded (oldest first). */
  history: readonly HistoryEvent[];
  resolveOrchestrator(name: string): OrchestratorFunction | undefined;
  maxPayloadBytes?: number;
}

const INBOX_TYPES = new Set<HistoryEvent['type']>([
  'ExecutionStarted', 'ExecutionTerminated', 'ExecutionSuspended', 'ExecutionResumed', 'ExecutionRewound',
  'TaskCompleted', 'TaskFailed', 'SubOrchestrationInstanceCompleted', 'SubOrchestrationInstanceFailed', 'TimerFired', 'EventRaised',
]);

export function replayHistory(options: ReplayHistoryOptions): void {
  const past: HistoryEvent[] = [];
  for (const recorded of splitSteps(options.history)) {
    const inbox = recorded.filter((event): event is InboxEvent => INBOX_TYPES.has(event.type));
    // A step without inbox events (one a rewind emptied) or a rewind's own step is not produced by the
    // code: the steps after it replay through it.
    if (inbox.length > 0 && !inbox.some((event) => event.type === 'ExecutionRewound')) {
      const produced = step(options, past, inbox, recorded[0]?.timestamp ?? '');
      checkSame(options.instanceId, past, recorded, produced);
    }
    past.push(...recorded);
  }
  const last = past.at(-1);
  if (last && !past.some((e) => e.type === 'ExecutionCompleted' || e.type === 'ExecutionTerminated' || e.type === 'ContinueAsNew')) {
    // An execution still running: replaying all of it must go through cleanly as well.
    checkSame(options.instanceId, past, [], step(options, past, [], last.timestamp));
  }
}

function step(options: ReplayHistoryOptions, past: readonly HistoryEvent[], inbox: InboxEvent[], now: string): OrchestrationStepResult {
  return executeOrchestrationStep({
    instanceId: options.instanceId,
    pastEvents: past,
    newEvents: inbox,
    now,
    resolveOrchestrator: (name) => options.resolveOrchestrator(name),
    maxPayloadBytes: options.maxPayloadBytes ?? Number.MAX_SAFE_INTEGER,
  });
}

/** Steps run from an OrchestratorStarted to the next one. */
export function splitSteps(history: readonly HistoryEvent[]): HistoryEvent[][] {
  const steps: HistoryEvent[][] = [];
  for (const event of history) {
    if (event.type === 'OrchestratorStarted' || steps.length === 0) steps.push([]);
    steps.at(-1)?.push(event);
  }
  return steps;
}

function checkSame(instanceId: string, past: readonly HistoryEvent[], recorded: readonly HistoryEvent[], result: OrchestrationStepResult): void {
  const produced = result.newEvents;
  const failure = result.failureDetails;
  const recordedTheSame = recorded.some((e) => e.type === 'ExecutionCompleted' && e.failureDetails?.errorType === 'NonDeterminismError');
  if (failure?.errorType === 'NonDeterminismError' && failure.details !== undefined && !recordedTheSame) {
    const facts = JSON.parse(failure.details) as { instanceId: string; taskId: number; historySequence?: number; recorded: string; produced: string };
    throw new NonDeterminismError(facts.instanceId, facts.taskId, facts.recorded, facts.produced, facts.historySequence);
  }
  const length = Math.max(recorded.length, produced.length);
  for (let i = 0; i < length; i++) {
    const expected = recorded[i];
    const actual = produced[i];
    if (expected && actual && canonical(expected) === canonical(actual)) continue;
    const differing = [expected, actual].find((e) => e !== undefined && isActionEvent(e));
    const taskId = differing?.eventId ?? [...past, ...recorded.slice(0, i)].filter(isActionEvent).length;
    const both = expected && actual && isActionEvent(expected) && isActionEvent(actual) ? actionMismatch(expected, eventToAction(actual)) : undefined;
    throw new NonDeterminismError(instanceId, taskId, both?.recorded ?? describe(expected), both?.produced ?? describe(actual), past.length + i);
  }
}

function describe(event: HistoryEvent | undefined): string {
  if (event === undefined || event.type === 'OrchestratorCompleted') return 'no action';
  if (isActionEvent(event)) return describeEvent(event);
  if (event.type === 'ExecutionCompleted') return `ExecutionCompleted (${event.orchestrationStatus})`;
  return event.type;
}

/** JSON with sorted keys and without stack traces, which name files and lines that change between builds. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, inner: unknown) => {
    if (key === 'stackTrace') return undefined;
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)));
    }
    return inner;
  });
}
