/** A command's own failure, already explained in its message (exit code 1), e.g. terminate's wait ran out. */
export class OperationFailedError extends Error {
  override readonly name = 'OperationFailedError';
}
