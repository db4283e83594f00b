/**
 * (beyond DF) Batch jobs by query: `POST …/batches` starts one (or, with `dryRun`, answers how many
 * instances match), `GET …/batches`, `GET …/batches/{id}`, `POST …/batches/{id}/cancel`. The filter is the
 * list's, as JSON: `runtimeStatus` (an array or "A,B"), `createdTimeFrom`, `createdTimeTo`,
 * `lastUpdatedTimeFrom`, `lastUpdatedTimeTo` (ISO 8601), `instanceIdPrefix`, `name`. A key it does not know
 * is a 400, never ignored: a filter silently dropped would widen the batch to every instance.
 */
import type { FastifyInstance } from 'fastify';
import type { BatchFilter, BatchOperation } from '../client/batches.js';
import { validateTags } from '../core/tags.js';
import { HttpError } from './errors.js';
import { optionalDate, optionalStatuses } from './query-values.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { hubQuerySchema, type HubQuery } from './schemas.js';

const FILTER_KEYS = ['runtimeStatus', 'createdTimeFrom', 'createdTimeTo', 'lastUpdatedTimeFrom', 'lastUpdatedTimeTo', 'instanceIdPrefix', 'name', 'tags'];

interface BatchBody {
  operation: string;
  filter?: Record<string, unknown>;
  reason?: string;
  eventName?: string;
  eventData?: unknown;
  dryRun?: boolean;
  chunkSize?: number;
  ratePerSecond?: number;
}

const text = { type: 'string' } as const;
const wholeNumber = { type: 'integer', finite: true } as const;
const startSchema = {
  querystring: hubQuerySchema({}),
  body: {
    type: 'object',
    properties: {
      operation: text,
      filter: { type: 'object' },
      reason: text,
      eventName: text,
      eventData: {},
      dryRun: { type: 'boolean' },
      chunkSize: wholeNumber,
      ratePerSecond: wholeNumber,
    },
    required: ['operation'],
  },
} as const;
const oneSchema = { querystring: hubQuerySchema({}), params: { type: 'object', properties: { batchId: text }, required: ['batchId'] } } as const;

export function registerBatchRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.post<{ Querystring: HubQuery; Body: BatchBody }>(`${base}/batches`, { schema: startSchema }, async (request, reply) => {
    const body = request.body;
    const client = await context.resolver.resolve(request.query);
    const answer = await client.startBatch({
      operation: body.operation as BatchOperation,
      filter: filterOf(body.filter ?? {}),
      reason: body.reason,
      eventName: body.eventName,
      eventData: body.eventData,
      dryRun: body.dryRun,
      chunkSize: body.chunkSize,
      ratePerSecond: body.ratePerSecond,
    });
    return sendJson(reply, body.dryRun ? 200 : 202, answer);
  });

  app.get<{ Querystring: HubQuery }>(`${base}/batches`, { schema: { querystring: hubQuerySchema({}) } }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    return sendJson(reply, 200, await client.listBatches());
  });

  app.get<{ Querystring: HubQuery; Params: { batchId: string } }>(`${base}/batches/:batchId`, { schema: oneSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    return sendJson(reply, 200, await client.getBatch(request.params.batchId));
  });

  app.post<{ Querystring: HubQuery; Params: { batchId: string } }>(`${base}/batches/:batchId/cancel`, { schema: oneSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    return sendJson(reply, 202, await client.cancelBatch(request.params.batchId));
  });
}

function filterOf(filter: Record<string, unknown>): BatchFilter {
  const unknown = Object.keys(filter).filter((key) => !FILTER_KEYS.includes(key));
  if (unknown.length > 0) throw new HttpError(400, `unknown filter key ${unknown.map((key) => `'${key}'`).join(', ')}; a batch filter takes ${FILTER_KEYS.join(', ')}`);
  const statuses = filter.runtimeStatus;
  if (statuses !== undefined && typeof statuses !== 'string' && !(Array.isArray(statuses) && statuses.every((status) => typeof status === 'string'))) {
    throw new HttpError(400, `the runtimeStatus filter must be a status name or an array of them, such as ["Running"]`);
  }
  return {
    runtimeStatus: optionalStatuses(typeof statuses === 'string' ? [statuses] : (statuses)),
    createdTimeFrom: optionalDate('createdTimeFrom', textOf(filter, 'createdTimeFrom')),
    createdTimeTo: optionalDate('createdTimeTo', textOf(filter, 'createdTimeTo')),
    lastUpdatedTimeFrom: optionalDate('lastUpdatedTimeFrom', textOf(filter, 'lastUpdatedTimeFrom')),
    lastUpdatedTimeTo: optionalDate('lastUpdatedTimeTo', textOf(filter, 'lastUpdatedTimeTo')),
    instanceIdPrefix: textOf(filter, 'instanceIdPrefix'),
    name: textOf(filter, 'name'),
    tags: filter.tags === undefined ? undefined : validateTags(filter.tags, 'the tags filter'),
  };
}

function textOf(filter: Record<string, unknown>, key: string): string | undefined {
  const value = filter[key];
  if (value === undefined || typeof value === 'string') return value;
  throw new HttpError(400, `the ${key} filter must be a string`);
}
