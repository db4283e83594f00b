/** What callers pass to the client's queries and waits, and its translation to the backend's query. */
import type { InstanceQuery, ListOrder } from '../backend/backend.js';
import type { RuntimeStatus } from '../core/history.js';
import { validateTags, type Tags } from '../core/tags.js';
import type { OrchestrationStatus } from './status-view.js';
import { validateDate, validateFilterText, validateRuntimeStatuses } from './validation.js';

export interface StartOptions<TInput = unknown> {
  instanceId?: string;
  input?: TInput;
  /** (beyond DF) The instance stays Pending until this time. */
  startAt?: Date;
  /** (beyond DF) Searchable tags, string keys to string values (limits in src/core/tags.ts). */
  tags?: Tags;
}

export interface GetStatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

export interface InstanceFilter {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  lastUpdatedTimeFrom?: Date;
  lastUpdatedTimeTo?: Date;
  instanceIdPrefix?: string;
  name?: string;
  /** (beyond DF) Only instances with every one of these tags, with exactly these values. */
  tags?: Tags;
}

export interface ListOptions extends InstanceFilter {
  /** Default 100, at most 1000. */
  pageSize?: number;
  continuationToken?: string;
  /** (beyond DF) `oldest` first by creation time (the default, as Durable Functions) or `newest` first. */
  orderBy?: ListOrder;
  /** Default true, as Durable Functions (its clients never send the flag on lists). */
  showInput?: boolean;
}

export interface InstancePageView {
  instances: OrchestrationStatus[];
  /** Absent on the last page. */
  continuationToken?: string;
}

export interface PurgeFilter {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  /** (beyond DF) Only this orchestrator's instances. */
  name?: string;
  /** (beyond DF) Only instances whose id starts with this text. */
  instanceIdPrefix?: string;
  /** Finished statuses only (Completed, Failed, Terminated); default all three. */
  runtimeStatus?: RuntimeStatus[];
  /** (beyond DF) Only instances with every one of these tags. */
  tags?: Tags;
}

export interface WaitOptions {
  timeoutInMilliseconds?: number;
  retryIntervalInMilliseconds?: number;
  /** Stops waiting early: waitForCompletion throws the signal's reason; the HTTP helper answers 202. */
  signal?: AbortSignal;
}

export function toQuery(filter: InstanceFilter): InstanceQuery {
  const created = [validateDate('createdTimeFrom', filter.createdTimeFrom), validateDate('createdTimeTo', filter.createdTimeTo)];
  const updated = [validateDate('lastUpdatedTimeFrom', filter.lastUpdatedTimeFrom), validateDate('lastUpdatedTimeTo', filter.lastUpdatedTimeTo)];
  const statuses = validateRuntimeStatuses(filter.runtimeStatus);
  return {
    statuses: statuses?.length ? statuses : undefined,
    createdFrom: created[0]?.getTime(),
    createdTo: created[1]?.getTime(),
    lastUpdatedFrom: updated[0]?.getTime(),
    lastUpdatedTo: updated[1]?.getTime(),
    instanceIdPrefix: validateFilterText('the instanceIdPrefix filter', filter.instanceIdPrefix),
    name: validateFilterText('the name filter', filter.name),
    tags: filter.tags === undefined ? undefined : validateTags(filter.tags, 'the tags filter'),
  };
}
