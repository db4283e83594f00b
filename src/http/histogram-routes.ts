/**
 * (beyond DF) `GET …/histogram`: instances created per interval, by status, for the list's filter — the
 * dashboard's chart. Every interval of the range is in the answer, empty ones with no counts. Without
 * createdTimeFrom the range starts at the first matching instance; without createdTimeTo it ends now.
 */
import type { FastifyInstance } from 'fastify';
import type { RuntimeStatus } from '../core/history.js';
import { instanceFilterOf, type InstanceFilterQuery } from './filter-query.js';
import { DEFAULT_MAX_INTERVALS, MAX_INTERVALS, intervalsFor } from './histogram-intervals.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { hubQuerySchema, instanceFilterProperties } from './schemas.js';

interface HistogramQuery extends InstanceFilterQuery {
  intervalSeconds?: number;
  maxIntervals?: number;
}

const histogramSchema = {
  querystring: hubQuerySchema({
    ...instanceFilterProperties,
    intervalSeconds: { type: 'integer', finite: true, minimum: 1, maximum: 366 * 24 * 3600 },
    maxIntervals: { type: 'integer', finite: true, minimum: 1, maximum: MAX_INTERVALS },
  }),
} as const;

export function registerHistogramRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.get<{ Querystring: HistogramQuery }>(`${base}/histogram`, { schema: histogramSchema }, async (request, reply) => {
    const query = request.query;
    const filter = instanceFilterOf(query);
    const client = await context.resolver.resolve(query);
    const to = filter.createdTimeTo?.getTime() ?? (await client.backend.now());
    // Listing order is creation order: the first instance of the filter's first page is the earliest.
    const firstCreated = filter.createdTimeFrom?.getTime() ?? (await client.listInstances({ ...filter, pageSize: 1 })).instances[0]?.createdTime;
    const from = firstCreated === undefined ? undefined : new Date(firstCreated).getTime();
    const intervals = intervalsFor(from ?? to, to, {
      widthMs: query.intervalSeconds === undefined ? undefined : query.intervalSeconds * 1000,
      maxIntervals: query.maxIntervals ?? DEFAULT_MAX_INTERVALS,
    });
    const counts = from === undefined ? [] : await client.instanceHistogram(filter, { origin: new Date(intervals.origin), intervalMs: intervals.widthMs });
    const dense = Array.from({ length: from === undefined ? 0 : intervals.count }, (_, index) => {
      const counts: Partial<Record<RuntimeStatus, number>> = {};
      return { start: new Date(intervals.origin + index * intervals.widthMs).toISOString(), counts };
    });
    for (const count of counts) {
      const interval = dense[(count.intervalStart - intervals.origin) / intervals.widthMs];
      if (interval) interval.counts[count.status] = count.count;
    }
    return sendJson(reply, 200, {
      from: new Date(intervals.origin).toISOString(),
      to: new Date(to).toISOString(),
      intervalSeconds: intervals.widthMs / 1000,
      intervals: dense,
    });
  });
}
