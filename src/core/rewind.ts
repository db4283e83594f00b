/**
 * Rewind (S-REWIND-1): a Failed instance goes back to Running; failed activities and sub-orchestrations
 * run again, completed ones are not repeated. Works when the failure was not the last step and with
 * durable timers (beyond Durable Functions, whose rewind only handles a failure at the end).
 *
 * 1. Replay the history with the code to learn which task failures the code saw and survived (caught,
 *    or absorbed by a retry). Those stay: the code's later path depends on them.
 * 2. Remove the ExecutionCompleted(Failed) and every other failure: ones the code never saw, and the
 *    ones that killed it. Their tasks become open again.
 * 3. Replay the kept history. Where the failure was removed the code now waits instead of dying, and may
 *    produce actions the failed step dropped: they are recorded at the end of that step, so the
 *    rewritten history replays deterministically.
 * 4. Re-create the work of every open task: activities and timers again, a `rewind` for each child whose
 *    failure was removed, and whatever the repair recorded.
 */
import { actionToWork, eventToAction, isActionEvent, type Action } from './actions.js';
import type { ExecutionRewoundEvent, HistoryEvent, InboxEvent } from './history.js';
import { HistoryLedger, isFailureEvent } from './ledger.js';
import { OrchestrationRun } from './orchestration-run.js';
import { runOptions } from './run-options.js';
import { stepResult } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult, OutboundWork } from './step.js';

export function rewindStep(input: OrchestrationStepInput, rewound: ExecutionRewoundEvent): OrchestrationStepResult {
  const past = input.pastEvents.filter((event) => event.type !== 'ExecutionCompleted');

  const analysis = new OrchestrationRun(runOptions(input));
  analysis.replay(past);
  const removed = new Set<number>();
  past.forEach((event, index) => {
    if (isFailureEvent(event) && !analysis.failures.survived.has(index)) removed.add(index);
  });
  const kept = past.filter((_, index) => !removed.has(index));

  const run = new OrchestrationRun({ ...runOptions(input), repairUnrecordedActions: true });
  run.replay(kept);
  run.beginStep(input.now);
  run.applyNew(rewound);
  // Anything that came with the rewind (say, a late result of an activity that is open again) counts.
  const consumed: InboxEvent[] = [rewound];
  for (const event of input.newEvents) {
    if (event === rewound || !run.accepts(event)) continue;
    consumed.push(event);
    run.applyNew(event);
  }
  const step = stepResult(run, input.now, consumed);

  const newHistory = [...run.history, ...step.newEvents];
  const rewoundChildren = childrenOfRemovedFailures(past, removed);
  const reopened = reopenedWork(run.history, newHistory, run.repairedActions, rewoundChildren, rewound.reason);
  const work = step.status === 'Failed' ? [] : [...reopened, ...step.work];
  return { ...step, newEvents: newHistory, replaceHistory: true, work };
}

/** Instance ids of the sub-orchestrations whose failure was removed. */
function childrenOfRemovedFailures(past: readonly HistoryEvent[], removed: ReadonlySet<number>): string[] {
  const created = new Map<number, string>();
  const children = new Set<string>();
  past.forEach((event, index) => {
    if (event.type === 'SubOrchestrationInstanceCreated') created.set(event.eventId, event.instanceId);
    if (event.type === 'SubOrchestrationInstanceFailed' && removed.has(index)) {
      const child = created.get(event.taskScheduledId);
      if (child !== undefined) children.add(child);
    }
  });
  return [...children];
}

/**
 * Work for the actions of the kept history (`kept`) that are open in the whole new history: activities and
 * timers again, repaired actions for the first time, a rewind for each child whose failure was removed.
 */
function reopenedWork(
  kept: readonly HistoryEvent[],
  newHistory: readonly HistoryEvent[],
  repairedActions: readonly Action[],
  rewoundChildren: readonly string[],
  reason: string | undefined,
): OutboundWork[] {
  const ledger = new HistoryLedger();
  for (const event of newHistory) ledger.record(event);
  const repaired = new Set(repairedActions.map((action) => action.id));
  const work: OutboundWork[] = [];
  for (const event of kept) {
    if (!isActionEvent(event) || !ledger.isOpen(event.eventId)) continue;
    if (event.type === 'TaskScheduled' || event.type === 'TimerCreated' || repaired.has(event.eventId)) work.push(actionToWork(eventToAction(event)));
  }
  const stillOpen = new Set(ledger.openSubOrchestrations().map((child) => child.instanceId));
  for (const instanceId of rewoundChildren) {
    if (!stillOpen.has(instanceId)) continue;
    work.push(reason === undefined ? { kind: 'rewind', instanceId } : { kind: 'rewind', instanceId, reason });
  }
  return work;
}
