/**
 * (beyond DF) `GET …/instances/{id}/history?fromSequence=&limit=`: one page of the raw history — every
 * event as stored, step markers and TaskScheduled included, numbered from 0 — for histories too long for
 * `showHistory`. Payloads (`input`, `result`, failure `details`) are parsed JSON; `nextSequence` is where
 * the next page starts, null after the last.
 */
import type { FastifyInstance } from 'fastify';
import type { FailureDetails, HistoryEvent } from '../core/history.js';
import { parsePayload } from '../client/history-view.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { hubQuerySchema, type HubQuery, type InstanceParams } from './schemas.js';

export const MAX_HISTORY_PAGE = 1000;
const DEFAULT_HISTORY_PAGE = 100;

interface HistoryQuery extends HubQuery {
  fromSequence?: number;
  limit?: number;
}

const historySchema = {
  params: { type: 'object', properties: { instanceId: { type: 'string' } }, required: ['instanceId'] },
  querystring: hubQuerySchema({
    fromSequence: { type: 'integer', finite: true, minimum: 0 },
    limit: { type: 'integer', finite: true, minimum: 1, maximum: MAX_HISTORY_PAGE },
  }),
} as const;

export function registerHistoryRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.get<{ Params: InstanceParams; Querystring: HistoryQuery }>(
    `${base}/instances/:instanceId/history`,
    { schema: historySchema },
    async (request, reply) => {
      const { instanceId } = request.params;
      const fromSequence = request.query.fromSequence ?? 0;
      const limit = request.query.limit ?? DEFAULT_HISTORY_PAGE;
      const client = await context.resolver.resolve(request.query);
      // One more event than the page tells whether another page follows.
      const events = await client.getHistory(instanceId, { fromSequence, limit: limit + 1 });
      const page = events.slice(0, limit);
      return sendJson(reply, 200, {
        instanceId,
        events: page.map((event, index) => ({ sequence: fromSequence + index, ...withParsedPayloads(event) })),
        nextSequence: events.length > limit ? fromSequence + limit : null,
      });
    },
  );
}

function withParsedPayloads(event: HistoryEvent): Record<string, unknown> {
  const view: Record<string, unknown> = { ...event };
  if ('input' in event) view.input = parsePayload(event.input);
  if ('result' in event) view.result = parsePayload(event.result);
  if ('failureDetails' in event && event.failureDetails) view.failureDetails = parsedFailure(event.failureDetails);
  return view;
}

function parsedFailure(details: FailureDetails): Record<string, unknown> {
  return {
    ...details,
    ...(details.details !== undefined && { details: parsePayload(details.details) }),
    ...(details.innerFailure && { innerFailure: parsedFailure(details.innerFailure) }),
  };
}
