/**
 * SQL fragments shared by the query modules: qualified table names and the store's clock.
 */
import { validateSchemaName } from './options.js';

/**
 * The store's clock in epoch milliseconds. clock_timestamp(), not now(): now() is frozen at the start of the
 * transaction, and a transaction that waited for a row lock would judge leases with a stale time (T14).
 */
export const NOW_MS = `floor(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface Tables {
  schema: string;
  instances: string;
  history: string;
  messages: string;
  activityTasks: string;
  instanceTags: string;
  /** The histogram's rollup (migrations/0008_histogram_rollup.ts). */
  instanceHistogram: string;
}

export function tablesOf(schemaName: string): Tables {
  const schema = `"${validateSchemaName(schemaName)}"`;
  return {
    schema,
    instances: `${schema}.instances`,
    history: `${schema}.history`,
    messages: `${schema}.messages`,
    activityTasks: `${schema}.activity_tasks`,
    instanceTags: `${schema}.instance_tags`,
    instanceHistogram: `${schema}.instance_histogram`,
  };
}
