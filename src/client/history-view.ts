/**
 * The history as the Durable Functions HTTP API shows it (S-QUERY-4): PascalCase keys, the step markers
 * (OrchestratorStarted/Completed) left out, and each TaskScheduled / SubOrchestrationInstanceCreated folded
 * into the event that completed it, which gains its FunctionName and ScheduledTime. taskhub's own events
 * follow the same style: a TagsChanged shows `TagsSet` and `TagsRemoved`, an ExecutionStarted its `Tags`.
 */
import type { FailureDetails, HistoryEvent, JsonText } from '../core/history.js';

export interface HistoryViewOptions {
  /** Include `Result` keys (default false). */
  showHistoryOutput?: boolean;
  /** Include `Input` keys (default true). */
  showInput?: boolean;
}

export type HistoryEventView = { EventType: string; EventId: number; Timestamp: string } & Record<string, unknown>;

export function foldHistory(events: readonly HistoryEvent[], options: HistoryViewOptions = {}): HistoryEventView[] {
  const showOutput = options.showHistoryOutput ?? false;
  const showInput = options.showInput ?? true;
  const scheduled = new Map<number, { name: string; timestamp: string; instanceId?: string }>();
  const completedIds = new Set<number>();
  for (const event of events) {
    if (event.type === 'TaskScheduled') scheduled.set(event.eventId, { name: event.name, timestamp: event.timestamp });
    if (event.type === 'SubOrchestrationInstanceCreated') {
      scheduled.set(event.eventId, { name: event.name, timestamp: event.timestamp, instanceId: event.instanceId });
    }
    if ('taskScheduledId' in event) completedIds.add(event.taskScheduledId);
  }

  const views: HistoryEventView[] = [];
  for (const event of events) {
    const view: HistoryEventView = { EventType: event.type, EventId: event.eventId, Timestamp: event.timestamp };
    const input = (text: JsonText | undefined) => {
      if (showInput) view.Input = parsePayload(text);
    };
    const result = (text: JsonText | undefined) => {
      if (showOutput) view.Result = parsePayload(text);
    };
    const origin = (taskScheduledId: number) => {
      view.TaskScheduledId = taskScheduledId;
      const source = scheduled.get(taskScheduledId);
      if (source) {
        view.FunctionName = source.name;
        view.ScheduledTime = source.timestamp;
        if (source.instanceId !== undefined) view.InstanceId = source.instanceId;
      }
    };
    switch (event.type) {
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        continue;
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
        if (completedIds.has(event.eventId)) continue;
        view.Name = event.name;
        if (event.type === 'SubOrchestrationInstanceCreated') view.InstanceId = event.instanceId;
        input(event.input);
        break;
      case 'ExecutionStarted':
        view.FunctionName = event.name;
        input(event.input);
        if (event.scheduledStartTime !== undefined) view.ScheduledStartTime = event.scheduledStartTime;
        if (event.parentInstance) {
          view.ParentInstance = { InstanceId: event.parentInstance.instanceId, Name: event.parentInstance.name, TaskScheduledId: event.parentInstance.taskScheduledId };
        }
        if (event.tags !== undefined) view.Tags = event.tags;
        break;
      case 'ExecutionCompleted':
        view.OrchestrationStatus = event.orchestrationStatus;
        result(event.result);
        if (event.failureDetails) view.FailureDetails = failureView(event.failureDetails);
        break;
      case 'ExecutionTerminated':
        if (showInput) view.Input = event.reason ?? null;
        break;
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ExecutionRewound':
        view.Reason = event.reason ?? null;
        break;
      case 'ContinueAsNew':
        result(event.result);
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        origin(event.taskScheduledId);
        result(event.result);
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed':
        origin(event.taskScheduledId);
        view.Reason = event.failureDetails.errorMessage;
        view.FailureDetails = failureView(event.failureDetails);
        break;
      case 'TimerCreated':
        view.FireAt = event.fireAt;
        break;
      case 'TimerFired':
        view.TimerId = event.timerId;
        view.FireAt = event.fireAt;
        break;
      case 'EventSent':
        view.InstanceId = event.instanceId;
        view.Name = event.name;
        input(event.input);
        break;
      case 'EventRaised':
        view.Name = event.name;
        input(event.input);
        break;
      case 'TagsChanged':
        view.TagsSet = event.set;
        view.TagsRemoved = event.remove;
        break;
    }
    views.push(view);
  }
  return views;
}

export function parsePayload(text: JsonText | undefined): unknown {
  return text === undefined ? null : JSON.parse(text);
}

function failureView(details: FailureDetails): Record<string, unknown> {
  const view: Record<string, unknown> = { ErrorType: details.errorType, ErrorMessage: details.errorMessage };
  if (details.stackTrace !== undefined) view.StackTrace = details.stackTrace;
  if (details.details !== undefined) view.Details = parsePayload(details.details);
  if (details.innerFailure) view.InnerFailure = failureView(details.innerFailure);
  return view;
}
