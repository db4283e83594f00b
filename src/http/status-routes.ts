/**
 * Reading instances: `GET /instances/{id}` (200 when finished, 202 with `Location` and `Retry-After: 5`
 * while it runs) and `GET /instances` (one page, with `x-ms-continuation-token` in and out, oldest or
 * newest first by `orderBy`).
 */
import type { FastifyInstance } from 'fastify';
import type { ListOrder } from '../backend/backend.js';
import { isFinished } from '../core/history.js';
import { InstanceNotFoundError } from '../errors.js';
import { errorMediaType } from './error-media-type.js';
import { instanceFilterOf } from './filter-query.js';
import type { RouteContext } from './route-context.js';
import { managementOrigin } from './addressed-origin.js';
import { sendJson, statusJson } from './responses.js';
import { CONTINUATION_HEADER, listSchema, statusSchema, type InstanceParams, type ListQuery, type StatusQuery } from './schemas.js';

/** How soon a poller should ask again about a running instance. */
const RUNNING_RETRY_AFTER_SECONDS = '5';

export function registerStatusRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.get<{ Params: InstanceParams; Querystring: StatusQuery }>(
    `${base}/instances/:instanceId`,
    { schema: statusSchema },
    async (request, reply) => {
      const { instanceId } = request.params;
      const query = request.query;
      const client = await context.resolver.resolve(query);
      const status = await client.getStatus(instanceId, {
        showHistory: query.showHistory,
        showHistoryOutput: query.showHistoryOutput,
        showInput: query.showInput,
      });
      if (!status) {
        // Durable Functions answers an empty 404, and its 1.x client returns that body as the status, where
        // an empty one reads as "no instance": a caller of plain-text errors gets the same.
        if (errorMediaType(request.headers.accept) === 'text') return reply.code(404).send();
        throw new InstanceNotFoundError(instanceId);
      }
      if (!isFinished(status.runtimeStatus)) {
        const location = client.createHttpManagementPayload(instanceId, managementOrigin(request)).statusQueryGetUri;
        return sendJson(reply, 202, statusJson(status), { Location: location, 'Retry-After': RUNNING_RETRY_AFTER_SECONDS });
      }
      const failedAsError = status.runtimeStatus === 'Failed' && query.returnInternalServerErrorOnFailure === true;
      return sendJson(reply, failedAsError ? 500 : 200, statusJson(status));
    },
  );

  app.get<{ Querystring: ListQuery }>(`${base}/instances`, { schema: listSchema }, async (request, reply) => {
    const query = request.query;
    const client = await context.resolver.resolve(query);
    const page = await client.listInstances({
      ...instanceFilterOf(query),
      showInput: query.showInput,
      pageSize: query.top,
      continuationToken: request.headers[CONTINUATION_HEADER] as string | undefined,
      // Checked by the client: anything but oldest or newest is a 400 naming both.
      orderBy: query.orderBy as ListOrder | undefined,
    });
    const headers: Record<string, string> = page.continuationToken ? { [CONTINUATION_HEADER]: page.continuationToken } : {};
    return sendJson(reply, 200, page.instances.map(statusJson), headers);
  });
}
