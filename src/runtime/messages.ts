/** Builders for the inbox messages the runtime sends on behalf of a step. */
import type { FailureDetails, InboxEvent, JsonText, ParentInstance, RuntimeStatus } from '../core/history.js';
import type { OutgoingMessage } from '../backend/backend.js';

export function timerFiredMessage(instanceId: string, executionId: string, timerId: number, fireAt: string): OutgoingMessage {
  return {
    instanceId,
    executionId,
    event: { type: 'TimerFired', eventId: -1, timestamp: fireAt, timerId, fireAt },
    visibleAt: Date.parse(fireAt),
  };
}

export function eventRaisedMessage(instanceId: string, name: string, input: JsonText | undefined, now: string): OutgoingMessage {
  return { instanceId, event: { type: 'EventRaised', eventId: -1, timestamp: now, name, input } };
}

/** What a finished sub-orchestration reports to its parent. */
export function parentNotification(
  parent: ParentInstance,
  child: { instanceId: string; status: RuntimeStatus; output?: JsonText; failureDetails?: FailureDetails },
  now: string,
): OutgoingMessage | undefined {
  let event: InboxEvent;
  if (child.status === 'Completed') {
    event = { type: 'SubOrchestrationInstanceCompleted', eventId: -1, timestamp: now, taskScheduledId: parent.taskScheduledId, result: child.output };
  } else if (child.status === 'Failed' || child.status === 'Terminated') {
    const failureDetails: FailureDetails =
      child.status === 'Failed' && child.failureDetails
        ? child.failureDetails
        : {
            errorType: 'TerminatedError',
            errorMessage: `sub-orchestration '${child.instanceId}' was terminated${child.output === undefined ? '' : `: ${String(JSON.parse(child.output))}`}`,
          };
    event = { type: 'SubOrchestrationInstanceFailed', eventId: -1, timestamp: now, taskScheduledId: parent.taskScheduledId, failureDetails };
  } else {
    return undefined;
  }
  return { instanceId: parent.instanceId, executionId: parent.executionId, event };
}
