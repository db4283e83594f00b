/**
 * Termination (S-TERM-1/2, T16): an ExecutionTerminated among the new events ends the instance at once.
 * The code does not run; other new events are consumed and dropped (a late activity result is not an error).
 */
import type { ExecutionTerminatedEvent } from './history.js';
import { HistoryLedger } from './ledger.js';
import { replayedCustomStatus } from './run-options.js';
import { endingStepEvents } from './step-result.js';
import type { OrchestrationStepInput, OrchestrationStepResult, OutboundWork } from './step.js';

export function terminateStep(input: OrchestrationStepInput, terminated: ExecutionTerminatedEvent): OrchestrationStepResult {
  const ledger = new HistoryLedger();
  for (const event of [...input.pastEvents, ...input.newEvents]) ledger.record(event);
  const newEvents = endingStepEvents(input.pastEvents, input.newEvents, input.now, terminated);
  const result: OrchestrationStepResult = { newEvents, replaceHistory: false, work: [], status: 'Terminated' };
  if (terminated.reason !== undefined) result.output = JSON.stringify(terminated.reason);
  if (terminated.recursive) result.work = ledger.openSubOrchestrations().map((child) => childTermination(child.instanceId, terminated.reason));
  const customStatus = replayedCustomStatus(input);
  if (customStatus !== undefined) result.customStatus = customStatus;
  return result;
}

function childTermination(instanceId: string, reason: string | undefined): OutboundWork {
  return reason === undefined ? { kind: 'terminate', instanceId } : { kind: 'terminate', instanceId, reason };
}
