/**
 * Which PostgreSQL failures are worth retrying: the server or the network went away, or the server chose
 * this transaction as the loser of a conflict. The worker backs off and retries these; anything else (a
 * constraint violation, a syntax error) is a bug and surfaces.
 */
import pg from 'pg';

/** SQLSTATE codes and classes that name a passing condition. */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown (server stopping, or pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting or in recovery)
  '57014', // query_canceled, which statement_timeout raises under a load spike
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '58000', // system_error
  '58030', // io_error
]);
/** Class 08: connection exceptions. */
const TRANSIENT_SQLSTATE_CLASSES = ['08'];

/** Socket errors from Node while connecting or talking to the server. */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** node-postgres reports a dropped connection and a pool wait that timed out with plain messages. */
const TRANSIENT_DRIVER_MESSAGES = [
  /Connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
];

export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SOCKET_CODES.has(code)) return true;
    if (code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  if (TRANSIENT_DRIVER_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // AggregateError: connecting to a host name that resolves to several addresses (localhost: ::1 and 127.0.0.1).
  return error instanceof AggregateError && error.errors.some(isTransientStoreError);
}

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
