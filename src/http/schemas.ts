/**
 * JSON schemas of every route's query string, path and headers, checked by fastify before a handler runs,
 * with the TypeScript shape each one yields. Shapes and ranges live here; the rules shared with the CLI and
 * the library (instance ids, names, dates, status names) are applied by the client and validation.ts so
 * every surface rejects the same input with the same message.
 */
import type { Ajv } from 'ajv';
import { MAX_PAGE_SIZE } from '../client/client.js';
import { MIN_POLL_INTERVAL_MS } from '../client/wait.js';

/** Long polls are held at most this long; a caller wanting more polls the status URL. */
export const MAX_WAIT_SECONDS = 600;

/**
 * Ajv coerces the query text "Infinity" (or "1e400") to Infinity and then skips its range keywords, which
 * only run on finite numbers: `top=Infinity` and `timeout=-Infinity` would pass. Every number here is
 * also `finite`.
 */
export function addFiniteKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'finite',
    schemaType: 'boolean',
    errors: false,
    validate: (finite: boolean, data: unknown) => !finite || typeof data !== 'number' || Number.isFinite(data),
  });
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
/** The client's floor on a wait's poll interval (client/wait.ts), which the query string may not undercut. */
export const MIN_POLL_INTERVAL_SECONDS = MIN_POLL_INTERVAL_MS / 1000;
const pollSeconds = { type: 'number', finite: true, minimum: MIN_POLL_INTERVAL_SECONDS, maximum: MAX_WAIT_SECONDS } as const;
const waitSeconds = { type: 'number', finite: true, minimum: 0, maximum: MAX_WAIT_SECONDS } as const;
/** One value or several (`runtimeStatus=A,B` or `runtimeStatus=A&runtimeStatus=B`). */
const textList = { type: 'array', items: text } as const;

/** Every route takes these: which hub, which storage setting, and the API key. */
export interface HubQuery {
  taskHub?: string;
  connection?: string;
  code?: string;
}
const hubQueryProperties = { taskHub: text, connection: text, code: text } as const;

function query(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', properties: { ...hubQueryProperties, ...properties }, required } as const;
}

/** For route groups with schemas of their own: a query string with the hub parameters every route takes. */
export const hubQuerySchema = query;

function params(...names: string[]) {
  return { type: 'object', properties: Object.fromEntries(names.map((name) => [name, text])), required: names } as const;
}

/** (beyond DF) `tag=key:value`, repeatable: the tags of a start, or a filter that every tag must match. */
export interface TagQuery {
  tag?: string[];
}
const tagProperties = { tag: textList } as const;

export interface StartParams {
  functionName: string;
  instanceId?: string;
}
export interface StartQuery extends HubQuery, TagQuery {
  /** Seconds to wait for the result before answering 202 (management route). */
  timeout?: number;
  pollingInterval?: number;
}
export const startSchema = {
  params: { type: 'object', properties: { functionName: text, instanceId: text }, required: ['functionName'] },
  querystring: query({ timeout: waitSeconds, pollingInterval: pollSeconds, ...tagProperties }),
} as const;

export const sampleStartSchema = {
  params: { type: 'object', properties: { functionName: text, instanceId: text }, required: ['functionName'] },
  querystring: query(tagProperties),
} as const;

export interface SampleWaitQuery extends HubQuery, TagQuery {
  timeout?: number;
  retryInterval?: number;
}
export const sampleWaitSchema = {
  params: params('functionName'),
  querystring: query({ timeout: waitSeconds, retryInterval: pollSeconds, ...tagProperties }),
} as const;

export interface InstanceParams {
  instanceId: string;
}

export interface StatusQuery extends HubQuery {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
  returnInternalServerErrorOnFailure?: boolean;
}
export const statusSchema = {
  params: params('instanceId'),
  querystring: query({ showHistory: flag, showHistoryOutput: flag, showInput: flag, returnInternalServerErrorOnFailure: flag }),
} as const;

export interface FilterQuery extends HubQuery, TagQuery {
  createdTimeFrom?: string;
  createdTimeTo?: string;
  runtimeStatus?: string[];
}
const filterProperties = { createdTimeFrom: text, createdTimeTo: text, runtimeStatus: textList, ...tagProperties } as const;

export interface ListQuery extends FilterQuery {
  lastUpdatedTimeFrom?: string;
  lastUpdatedTimeTo?: string;
  instanceIdPrefix?: string;
  name?: string;
  showInput?: boolean;
  top?: number;
  /** `oldest` (the default) or `newest`: the listing order by creation time. */
  orderBy?: string;
}
export const CONTINUATION_HEADER = 'x-ms-continuation-token';
/** The filter of `GET …/instances`, which the counts and the histogram take as well. */
export const instanceFilterProperties = {
  ...filterProperties,
  lastUpdatedTimeFrom: text,
  lastUpdatedTimeTo: text,
  instanceIdPrefix: text,
  name: text,
} as const;
export const listSchema = {
  querystring: query({
    ...instanceFilterProperties,
    showInput: flag,
    top: { type: 'integer', finite: true, minimum: 1, maximum: MAX_PAGE_SIZE },
    orderBy: text,
  }),
  headers: { type: 'object', properties: { [CONTINUATION_HEADER]: text } },
} as const;

export const purgeOneSchema = { params: params('instanceId'), querystring: query({}) } as const;
export interface PurgeByQuery extends FilterQuery {
  name?: string;
  instanceIdPrefix?: string;
}
export const purgeBySchema = { querystring: query({ ...filterProperties, name: text, instanceIdPrefix: text }, ['createdTimeFrom']) } as const;

export interface RaiseEventParams extends InstanceParams {
  eventName: string;
}
export const raiseEventSchema = { params: params('instanceId', 'eventName'), querystring: query({}) } as const;

export interface ReasonQuery extends HubQuery {
  reason?: string;
}
export const reasonSchema = { params: params('instanceId'), querystring: query({ reason: text }) } as const;

export interface TerminateQuery extends ReasonQuery {
  /** (beyond DF) Also terminate every sub-orchestration below the instance. */
  recursive?: boolean;
}
export const terminateSchema = { params: params('instanceId'), querystring: query({ reason: text, recursive: flag }) } as const;

export interface RestartQuery extends HubQuery {
  restartWithNewInstanceId?: boolean;
}
export const restartSchema = { params: params('instanceId'), querystring: query({ restartWithNewInstanceId: flag }) } as const;
