/**
 * Turns the state of a run after a step's events into the step's result: the events to append
 * (OrchestratorStarted, consumed inbox events, new actions, terminal event, OrchestratorCompleted), the
 * outbound work and the instance's new state.
 */
import { actionToEvent, actionToWork, withInput, type Action } from './actions.js';
import type { ContinueAsNewEvent, ExecutionCompletedEvent, HistoryEvent, OrchestratorCompletedEvent, OrchestratorStartedEvent, TagsChangedEvent } from './history.js';
import type { OrchestrationRun } from './orchestration-run.js';
import type { OrchestrationStepResult } from './step.js';

export function orchestratorStarted(timestamp: string): OrchestratorStartedEvent {
  return { type: 'OrchestratorStarted', eventId: -1, timestamp };
}

export function orchestratorCompleted(timestamp: string): OrchestratorCompletedEvent {
  return { type: 'OrchestratorCompleted', eventId: -1, timestamp };
}

/**
 * The events of a step that ends the execution without running the code (a termination, a poisoned step):
 * the terminal event, and a start arriving with it, so the history still begins with ExecutionStarted.
 */
export function endingStepEvents(
  pastEvents: readonly HistoryEvent[],
  newEvents: readonly HistoryEvent[],
  now: string,
  terminal: HistoryEvent,
): HistoryEvent[] {
  const started = pastEvents.some((event) => event.type === 'ExecutionStarted');
  const start = started ? undefined : newEvents.find((event) => event.type === 'ExecutionStarted');
  return [orchestratorStarted(now), ...(start ? [start] : []), terminal, orchestratorCompleted(now)];
}

/**
 * The result of a step whose inbox events `consumed` have been applied to `run`. When the step changed
 * nothing (no event kept, no action, no end), newEvents is empty: the runtime only consumes the messages.
 */
export function stepResult(run: OrchestrationRun, now: string, consumed: readonly HistoryEvent[]): OrchestrationStepResult {
  const outcome = run.outcome;
  const actions = actionsToSend(run);
  const result: OrchestrationStepResult = {
    newEvents: [],
    replaceHistory: false,
    work: actions.map(actionToWork),
    status: run.suspension ? 'Suspended' : 'Running',
  };
  if (run.customStatus !== undefined) result.customStatus = run.customStatus;
  let terminal: HistoryEvent | undefined;
  if (outcome.kind === 'failed') {
    terminal = { type: 'ExecutionCompleted', eventId: -1, timestamp: now, orchestrationStatus: 'Failed', failureDetails: outcome.failure };
    result.status = 'Failed';
    result.output = JSON.stringify(outcome.failure);
    result.failureDetails = outcome.failure;
  } else if (outcome.kind === 'continuedAsNew') {
    terminal = withResult<ContinueAsNewEvent>({ type: 'ContinueAsNew', eventId: -1, timestamp: now }, outcome.input);
    result.status = 'ContinuedAsNew';
    const tags = run.tags.snapshot();
    result.continuedAsNew = withInput(
      { carryOverEvents: outcome.preserveUnprocessedEvents ? run.unconsumedEvents() : [], ...(Object.keys(tags).length > 0 ? { tags } : {}) },
      outcome.input,
    );
  } else if (outcome.kind === 'returned' && !run.hasOutstandingTasks()) {
    terminal = withResult<ExecutionCompletedEvent>({ type: 'ExecutionCompleted', eventId: -1, timestamp: now, orchestrationStatus: 'Completed' }, outcome.result);
    result.status = 'Completed';
    if (outcome.result !== undefined) result.output = outcome.result;
  } else if (run.suspension?.reason !== undefined) {
    result.output = JSON.stringify(run.suspension.reason);
  }
  const tags = outcome.kind === 'failed' ? undefined : tagsChanged(run, now);
  if (tags) result.tagChanges = { set: tags.set, remove: tags.remove };
  if (consumed.length === 0 && actions.length === 0 && terminal === undefined && tags === undefined) return result;
  result.newEvents = [
    orchestratorStarted(now),
    ...consumed,
    ...actions.map((action) => actionToEvent(action, now)),
    ...(tags ? [tags] : []),
    ...(terminal ? [terminal] : []),
    orchestratorCompleted(now),
  ];
  return result;
}

/**
 * A failed step sends nothing; a continue-as-new step only its events to other instances (results of
 * anything else would reach an execution that no longer exists).
 */
function actionsToSend(run: OrchestrationRun): Action[] {
  if (run.outcome.kind === 'failed') return [];
  const actions = run.newActions();
  return run.outcome.kind === 'continuedAsNew' ? actions.filter((action) => action.kind === 'event') : actions;
}

function tagsChanged(run: OrchestrationRun, now: string): TagsChangedEvent | undefined {
  if (run.tags.stepChanges.size === 0) return undefined;
  const event: TagsChangedEvent = { type: 'TagsChanged', eventId: -1, timestamp: now, set: {}, remove: [] };
  for (const [key, value] of run.tags.stepChanges) {
    if (value === undefined) event.remove.push(key);
    else event.set[key] = value;
  }
  return event;
}

function withResult<T extends object>(event: T, result: string | undefined): T & { result?: string } {
  return result === undefined ? event : { ...event, result };
}
