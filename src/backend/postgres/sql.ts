/**
 * SQL fragments shared by the query modules: qualified table names, the store's clock and the status lists.
 */
import { FINISHED_STATUSES } from '../../core/history.js';
import { validateSchemaName } from './options.js';

/**
 * The store's clock in epoch milliseconds. clock_timestamp(), not now(): now() is frozen at the start of the
 * transaction, and a transaction that waited for a row lock would judge leases with a stale time (T14).
 */
export const NOW_MS = `floor(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Statuses after which an instance never runs again, as an SQL list. */
export const FINISHED_SQL = `(${FINISHED_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** The inbox events that let a worker claim a Pending instance: its start, or a termination before it starts. */
export const PENDING_WAKE_EVENTS_SQL = `('ExecutionStarted', 'ExecutionTerminated')`;

export interface Tables {
  schema: string;
  instances: string;
  history: string;
  messages: string;
  activityTasks: string;
}

export function tablesOf(schemaName: string): Tables {
  const schema = `"${validateSchemaName(schemaName)}"`;
  return {
    schema,
    instances: `${schema}.instances`,
    history: `${schema}.history`,
    messages: `${schema}.messages`,
    activityTasks: `${schema}.activity_tasks`,
  };
}
