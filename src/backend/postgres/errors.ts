/**
 * How a failed PostgreSQL call ended, for the callers that must know whether to send the work again. The
 * worker does not sort failures: it retries every one (src/runtime/poll-loop.ts, docs/scale-out.md,
 * "Retries"), since every write is fenced.
 */
import pg from 'pg';

/**
 * True when the server answered the statement with an error while the session lived on: its transaction
 * was rolled back for sure, so the work can be sent again. Not for lost connections (the commit may have
 * happened before the answer was lost) nor for the session-ending, resource and internal classes.
 */
export function rolledBack(error: unknown): boolean {
  return error instanceof pg.DatabaseError && typeof error.code === 'string' && !UNCERTAIN_SQLSTATE_CLASSES.includes(error.code.slice(0, 2));
}

/** 08 connection exception, 57 operator intervention, 58 system error, XX internal error. */
const UNCERTAIN_SQLSTATE_CLASSES = ['08', '57', '58', 'XX'];
