/**
 * Errors a caller can act on. Each has a stable `code`; the HTTP API maps codes to status codes and the
 * CLI to exit codes, so the three surfaces agree.
 */
import type { RuntimeStatus } from './core/history.js';

export type TaskHubErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_ORCHESTRATOR'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'INSTANCE_EXISTS'
  | 'WRONG_STATE'
  | 'INSTANCE_FINISHED'
  | 'TIMEOUT'
  | 'STORE_NOT_CREATED'
  | 'STORE_BUSY';

export class TaskHubError extends Error {
  readonly code: TaskHubErrorCode;
  constructor(code: TaskHubErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from the caller: an invalid instance id, a malformed date, an unknown status name… */
export class InvalidArgumentError extends TaskHubError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/**
 * Tags over their limits (src/core/tags.ts): too many for the instance, or a key or value too long. Thrown by
 * a start and by context.setTag, where the orchestration can catch it (docs/instance-management.md).
 */
export class TagLimitError extends InvalidArgumentError {}

export class UnknownOrchestratorError extends TaskHubError {
  constructor(readonly orchestratorName: string) {
    super('UNKNOWN_ORCHESTRATOR', `orchestrator '${orchestratorName}' is not registered`);
  }
}

export class PayloadTooLargeError extends TaskHubError {
  constructor(what: string, readonly sizeBytes: number, readonly limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `${what} is ${sizeBytes} bytes of JSON, over the limit of ${limitBytes} bytes`);
  }
}

export class InstanceNotFoundError extends TaskHubError {
  constructor(readonly instanceId: string) {
    super('NOT_FOUND', `no instance with id '${instanceId}' in this task hub`);
  }
}

/** Starting an instance whose id is taken by an unfinished instance. */
export class InstanceExistsError extends TaskHubError {
  constructor(readonly instanceId: string, readonly status: RuntimeStatus) {
    super('INSTANCE_EXISTS', `an instance with id '${instanceId}' already exists and is ${status}`);
  }
}

/** The operation does not apply to the instance's current (unfinished) state. */
export class WrongStateError extends TaskHubError {
  constructor(readonly instanceId: string, readonly status: RuntimeStatus, operation: string, expected: string) {
    super('WRONG_STATE', `cannot ${operation} instance '${instanceId}': it is ${status}, and only ${expected} instances can be`);
  }
}

/** The operation needs an unfinished instance and this one has completed, failed or been terminated. */
export class InstanceFinishedError extends TaskHubError {
  constructor(readonly instanceId: string, readonly status: RuntimeStatus, operation: string) {
    super('INSTANCE_FINISHED', `cannot ${operation} instance '${instanceId}': it has already finished (${status})`);
  }
}

export class WaitTimeoutError extends TaskHubError {
  constructor(readonly instanceId: string, timeoutMs: number) {
    super('TIMEOUT', `instance '${instanceId}' did not finish within ${timeoutMs} ms`);
  }
}

/** A store opened to be used as it is (a read, a store named by the HTTP `connection` parameter) has no taskhub schema of this version yet. */
export class StoreNotCreatedError extends TaskHubError {
  constructor(message: string) {
    super('STORE_NOT_CREATED', message);
  }
}

/** The store stayed locked by another process's write for longer than a write may wait; nothing was written. */
export class StoreBusyError extends TaskHubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_BUSY', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
