/**
 * Actions: what orchestrator code asks for. Each gets the next task id of the execution; the history
 * records it as an event with that id, and the runtime turns it into outbound work. On replay the
 * recorded event and the produced action must agree (S-MODEL-3).
 */
import type { HistoryEvent, JsonText } from './history.js';
import type { OutboundWork } from './step.js';

export type Action =
  | { kind: 'activity'; id: number; name: string; input?: JsonText }
  | { kind: 'timer'; id: number; fireAt: string }
  | { kind: 'subOrchestration'; id: number; name: string; instanceId: string; input?: JsonText }
  | { kind: 'event'; id: number; instanceId: string; name: string; input?: JsonText };

export type ActionEvent = Extract<HistoryEvent, { type: 'TaskScheduled' | 'TimerCreated' | 'SubOrchestrationInstanceCreated' | 'EventSent' }>;

export function isActionEvent(event: HistoryEvent): event is ActionEvent {
  return event.type === 'TaskScheduled' || event.type === 'TimerCreated' || event.type === 'SubOrchestrationInstanceCreated' || event.type === 'EventSent';
}

export function actionToEvent(action: Action, timestamp: string): ActionEvent {
  const base = { eventId: action.id, timestamp };
  switch (action.kind) {
    case 'activity':
      return withInput({ ...base, type: 'TaskScheduled', name: action.name }, action.input);
    case 'timer':
      return { ...base, type: 'TimerCreated', fireAt: action.fireAt };
    case 'subOrchestration':
      return withInput({ ...base, type: 'SubOrchestrationInstanceCreated', name: action.name, instanceId: action.instanceId }, action.input);
    case 'event':
      return withInput({ ...base, type: 'EventSent', instanceId: action.instanceId, name: action.name }, action.input);
  }
}

/** The action a recorded event stands for: how the rewind re-creates work for events already in history. */
export function eventToAction(event: ActionEvent): Action {
  switch (event.type) {
    case 'TaskScheduled':
      return withInput({ kind: 'activity', id: event.eventId, name: event.name }, event.input);
    case 'TimerCreated':
      return { kind: 'timer', id: event.eventId, fireAt: event.fireAt };
    case 'SubOrchestrationInstanceCreated':
      return withInput({ kind: 'subOrchestration', id: event.eventId, name: event.name, instanceId: event.instanceId }, event.input);
    case 'EventSent':
      return withInput({ kind: 'event', id: event.eventId, instanceId: event.instanceId, name: event.name }, event.input);
  }
}

export function actionToWork(action: Action): OutboundWork {
  switch (action.kind) {
    case 'activity':
      return withInput({ kind: 'activity', taskId: action.id, name: action.name }, action.input);
    case 'timer':
      return { kind: 'timer', timerId: action.id, fireAt: action.fireAt };
    case 'subOrchestration':
      return withInput({ kind: 'subOrchestration', taskId: action.id, name: action.name, instanceId: action.instanceId }, action.input);
    case 'event':
      return withInput({ kind: 'event', instanceId: action.instanceId, name: action.name }, action.input);
  }
}

/**
 * Compares a recorded event with the action the code produced at its task id. Returns undefined when they
 * agree, or the two descriptions for the non-determinism error. Inputs are compared too: a changed input
 * (say, from Math.random) is as non-deterministic as a changed name (docs/reliability.md, T13).
 */
export function actionMismatch(recorded: ActionEvent, produced: Action | undefined): { recorded: string; produced: string } | undefined {
  if (produced === undefined) return { recorded: describeEvent(recorded), produced: 'no action' };
  if (sameAction(recorded, produced)) return undefined;
  const expected = eventToAction(recorded);
  if (expected.kind === produced.kind && nameOf(expected) === nameOf(produced) && instanceOf(expected) === instanceOf(produced)) {
    return { recorded: describeAction(expected, true), produced: describeAction(produced, true) };
  }
  return { recorded: describeEvent(recorded), produced: describeAction(produced) };
}

function sameAction(recorded: ActionEvent, produced: Action): boolean {
  switch (recorded.type) {
    case 'TaskScheduled':
      return produced.kind === 'activity' && recorded.name === produced.name && recorded.input === produced.input;
    case 'TimerCreated':
      return produced.kind === 'timer' && Date.parse(recorded.fireAt) === Date.parse(produced.fireAt);
    case 'SubOrchestrationInstanceCreated':
      return produced.kind === 'subOrchestration' && recorded.name === produced.name && recorded.instanceId === produced.instanceId && recorded.input === produced.input;
    case 'EventSent':
      return produced.kind === 'event' && recorded.instanceId === produced.instanceId && recorded.name === produced.name && recorded.input === produced.input;
  }
}

function nameOf(action: Action): string | undefined {
  return action.kind === 'timer' ? undefined : action.name;
}

/** The other instance an action concerns: the child it creates or the instance it sends an event to. */
function instanceOf(action: Action): string | undefined {
  return action.kind === 'subOrchestration' || action.kind === 'event' ? action.instanceId : undefined;
}

export function describeEvent(event: ActionEvent): string {
  return describeAction(eventToAction(event));
}

/** "TaskScheduled 'A'", "TimerCreated", "SubOrchestrationInstanceCreated 'Child' (instance 'p:0')", "EventSent 'Go' (to instance 'p')". */
export function describeAction(action: Action, withPayload = false): string {
  let text: string;
  switch (action.kind) {
    case 'activity':
      text = `TaskScheduled '${action.name}'`;
      break;
    case 'timer':
      return withPayload ? `TimerCreated firing at ${action.fireAt}` : 'TimerCreated';
    case 'subOrchestration':
      text = `SubOrchestrationInstanceCreated '${action.name}' (instance '${action.instanceId}')`;
      break;
    case 'event':
      text = `EventSent '${action.name}' (to instance '${action.instanceId}')`;
      break;
  }
  return withPayload ? `${text} with input ${abbreviate(action.input)}` : text;
}

function abbreviate(input: JsonText | undefined): string {
  if (input === undefined) return '(none)';
  return input.length > 80 ? `${input.slice(0, 77)}...` : input;
}

/**
 * Adds `input` to a freshly built object only when there is one, so events and work never carry
 * `input: undefined`. It sets the property rather than spreading: this runs for every replayed action.
 */
export function withInput<T extends object>(target: T, input: JsonText | undefined): T & { input?: JsonText } {
  if (input !== undefined) (target as { input?: JsonText }).input = input;
  return target;
}
