/**
 * The pure replay engine: one orchestration step is a function of the committed history, the newly
 * arrived inbox events and the step's time. No I/O, no clock, no randomness, so that it can be tested as
 * a function and replays the same way on every worker (docs/determinism.md).
 */
import type { ExecutionRewoundEvent, ExecutionTerminatedEvent, HistoryEvent, InboxEvent } from './history.js';
import { withinHistoryLimits } from './history-limits.js';
import { OrchestrationRun } from './orchestration-run.js';
import { replayedCustomStatus, runOptions } from './run-options.js';
import { rewindStep } from './rewind.js';
import { stepResult } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult } from './step.js';
import { terminateStep } from './terminate.js';

export function executeOrchestrationStep(input: OrchestrationStepInput): OrchestrationStepResult {
  return runOrchestrationStep(input).result;
}

/** A step's result, with the run that produced it when the execution goes on and the run can continue it. */
export interface StepRun {
  result: OrchestrationStepResult;
  /**
   * The live run after the step (its generator waiting on the next task): once the step is committed,
   * `run.settleStep(result.newEvents)` makes it the replayed state of the whole new history, from which
   * the next step can continue (docs/adr/0028-sticky-execution.md). Absent when the execution ended or the
   * step did not run the code.
   */
  run?: OrchestrationRun;
}

/**
 * executeOrchestrationStep, optionally continuing `cached`: a run that has replayed (or settled) exactly
 * `input.pastEvents`, which it then does not replay again. The result is the one a replay would give.
 */
export function runOrchestrationStep(input: OrchestrationStepInput, cached?: OrchestrationRun): StepRun {
  const end = executionEnd(input.pastEvents);
  if (end) {
    const rewound = input.newEvents.find((event): event is ExecutionRewoundEvent => event.type === 'ExecutionRewound');
    if (rewound && end.type === 'ExecutionCompleted' && end.orchestrationStatus === 'Failed') return { result: rewindStep(input, rewound) };
    return { result: afterEnd(input, end) };
  }
  const terminated = input.newEvents.find((event): event is ExecutionTerminatedEvent => event.type === 'ExecutionTerminated');
  if (terminated) return { result: terminateStep(input, terminated) };
  if (input.pastEvents.length === 0 && !input.newEvents.some((event) => event.type === 'ExecutionStarted')) {
    // Not started yet (say, events raised before a scheduled start): the runtime leaves the messages alone.
    return { result: { newEvents: [], replaceHistory: false, work: [], status: 'Pending' } };
  }
  return replayStep(input, cached);
}

function replayStep(input: OrchestrationStepInput, cached: OrchestrationRun | undefined): StepRun {
  const options = runOptions(input);
  let run: OrchestrationRun;
  if (cached) {
    run = cached;
    run.attach(options);
  } else {
    run = new OrchestrationRun(options);
    run.replay(input.pastEvents);
  }
  run.beginStep(input.now);
  const consumed: InboxEvent[] = [];
  for (const event of startFirst(input.newEvents)) {
    if (!run.accepts(event)) continue;
    consumed.push(event);
    run.applyNew(event);
  }
  const result = withinHistoryLimits(input, run, consumed, stepResult(run, input.now, consumed));
  const goesOn = result.status === 'Running' || result.status === 'Suspended';
  return goesOn ? { result, run } : { result };
}

/** The start message goes first, so events raised before the instance started wait in the buffer for it. */
function startFirst(events: readonly InboxEvent[]): InboxEvent[] {
  return [...events.filter((e) => e.type === 'ExecutionStarted'), ...events.filter((e) => e.type !== 'ExecutionStarted')];
}

type ExecutionEnd = Extract<HistoryEvent, { type: 'ExecutionCompleted' | 'ExecutionTerminated' | 'ContinueAsNew' }>;

/** The terminal event, if the execution has ended: it can only be in the last step, so look there. */
function executionEnd(events: readonly HistoryEvent[]): ExecutionEnd | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'ExecutionCompleted' || event.type === 'ExecutionTerminated' || event.type === 'ContinueAsNew') return event;
    if (event.type === 'OrchestratorStarted') return undefined;
  }
  return undefined;
}

/** The execution has ended (the runtime normally filters these messages): consume them, change nothing. */
function afterEnd(input: OrchestrationStepInput, end: ExecutionEnd): OrchestrationStepResult {
  const result: OrchestrationStepResult = { newEvents: [], replaceHistory: false, work: [], status: 'ContinuedAsNew' };
  if (end.type === 'ExecutionTerminated') {
    result.status = 'Terminated';
    if (end.reason !== undefined) result.output = JSON.stringify(end.reason);
  } else if (end.type === 'ExecutionCompleted' && end.orchestrationStatus === 'Failed') {
    result.status = 'Failed';
    if (end.failureDetails) {
      result.failureDetails = end.failureDetails;
      result.output = JSON.stringify(end.failureDetails);
    }
  } else if (end.type === 'ExecutionCompleted') {
    result.status = 'Completed';
    if (end.result !== undefined) result.output = end.result;
  }
  const customStatus = replayedCustomStatus(input);
  if (customStatus !== undefined) result.customStatus = customStatus;
  return result;
}
