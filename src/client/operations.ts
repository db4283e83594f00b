/**
 * The management operations on one instance as data: the runtime states each is allowed from, the words of
 * its refusals, its HTTP route and its `taskhub` command. The client checks and refuses from this table,
 * src/http/ registers the routes from it and src/cli/ the commands, so the three surfaces say the same; an
 * operation that queues a message with an optional reason (`queued`) gets its route and command from its
 * row alone, and a new one is a row, a client method and the engine's or backend's part.
 */
import { FINISHED_STATUSES, RUNTIME_STATUSES, isFinished, type RuntimeStatus } from '../core/history.js';
import { InstanceFinishedError, WrongStateError } from '../errors.js';
import type { TaskHubClient } from './client.js';

export interface ManagementOperation {
  /** In refusals: "cannot <verb> instance 'x': …". */
  readonly verb: string;
  /** The runtime states it is allowed from; from any other it is refused. */
  readonly allowedFrom: readonly RuntimeStatus[];
  /** Its route under each management base: the method, and the path after `instances/:instanceId`. */
  readonly route: { readonly method: 'POST' | 'DELETE'; readonly path: string };
  /** Its `taskhub` command and the command's help line. */
  readonly command: { readonly name: string; readonly description: string };
  /** For an operation that only queues a message with an optional reason: how to send it, and the noun of the CLI's confirmation. */
  readonly queued?: {
    readonly noun: string;
    send(client: TaskHubClient, instanceId: string, reason: string | undefined): Promise<void>;
  };
}

const UNFINISHED_STATUSES = RUNTIME_STATUSES.filter((status) => !isFinished(status));

export const OPERATIONS = {
  raiseEvent: {
    verb: 'raise an event to',
    allowedFrom: UNFINISHED_STATUSES,
    route: { method: 'POST', path: 'raiseEvent/:eventName' },
    command: { name: 'raise-event', description: 'send an event to an instance' },
  },
  terminate: {
    verb: 'terminate',
    allowedFrom: UNFINISHED_STATUSES,
    route: { method: 'POST', path: 'terminate' },
    command: { name: 'terminate', description: 'terminate an instance and wait until it is Terminated' },
  },
  rewind: {
    verb: 'rewind',
    allowedFrom: ['Failed'],
    route: { method: 'POST', path: 'rewind' },
    command: { name: 'rewind', description: 'rewind a Failed instance: its failed activities and sub-orchestrations run again' },
    queued: { noun: 'Rewind', send: (client, instanceId, reason) => client.rewind(instanceId, reason) },
  },
  // A repeated suspension or a resumption of an instance that is not suspended changes nothing (the engine
  // drops it), so both are allowed from every unfinished state: a retried call succeeds. Durable Functions'
  // HTTP handler makes no state check either, and its clients accept only 202.
  suspend: {
    verb: 'suspend',
    allowedFrom: UNFINISHED_STATUSES,
    route: { method: 'POST', path: 'suspend' },
    command: { name: 'suspend', description: 'suspend a Pending or Running instance: it makes no progress until resumed (a Suspended one stays so)' },
    queued: { noun: 'Suspension', send: (client, instanceId, reason) => client.suspend(instanceId, reason) },
  },
  resume: {
    verb: 'resume',
    allowedFrom: UNFINISHED_STATUSES,
    route: { method: 'POST', path: 'resume' },
    command: { name: 'resume', description: 'resume a Suspended instance (one that is not suspended is left as it is)' },
    queued: { noun: 'Resumption', send: (client, instanceId, reason) => client.resume(instanceId, reason) },
  },
  /** The states are those of a restart under the same id; under a new id (the default) any instance can be restarted. */
  restart: {
    verb: 'restart under the same id',
    allowedFrom: FINISHED_STATUSES,
    route: { method: 'POST', path: 'restart' },
    command: { name: 'restart', description: 'start the instance again with the same input; prints the instance id' },
  },
  purge: {
    verb: 'purge',
    allowedFrom: FINISHED_STATUSES,
    route: { method: 'DELETE', path: '' },
    command: {
      name: 'purge-instance',
      description: `delete a ${statesText(FINISHED_STATUSES)} instance with its history; prints {"instancesDeleted":1}`,
    },
  },
} as const satisfies Record<string, ManagementOperation>;

export type OperationName = keyof typeof OPERATIONS;

/** Every row, for the surfaces that register one route or command per operation. */
export const OPERATION_LIST: readonly ManagementOperation[] = Object.values(OPERATIONS);

/** "Failed", "Completed or Failed", "Completed, Failed or Terminated". */
export function statesText(states: readonly RuntimeStatus[]): string {
  if (states.length <= 1) return states.join('');
  return `${states.slice(0, -1).join(', ')} or ${states.at(-1)}`;
}

export function isAllowed(operation: ManagementOperation, status: RuntimeStatus): boolean {
  return operation.allowedFrom.includes(status);
}

/**
 * Why `operation` is refused for an instance in `status`: "it has already finished" when the operation is
 * for unfinished instances only (HTTP 410), otherwise the states it is allowed from (409).
 */
export function refusal(operation: ManagementOperation, instanceId: string, status: RuntimeStatus): InstanceFinishedError | WrongStateError {
  if (isFinished(status) && !operation.allowedFrom.some(isFinished)) return new InstanceFinishedError(instanceId, status, operation.verb);
  return new WrongStateError(instanceId, status, operation.verb, statesText(operation.allowedFrom));
}
