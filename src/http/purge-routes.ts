/**
 * Purging: `DELETE /instances/{id}` deletes one finished instance with all its data; `DELETE /instances`
 * deletes every finished instance created in a time range (createdTimeFrom is required, as in Durable
 * Functions, so a bare DELETE cannot empty the hub), beyond Durable Functions also by orchestrator name and
 * instance id prefix. 404 when nothing matched.
 */
import type { FastifyInstance } from 'fastify';
import { OPERATIONS } from '../client/operations.js';
import { HttpError } from './errors.js';
import { operationUrl } from './operation-routes.js';
import { optionalDate, optionalStatuses, optionalTags } from './query-values.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { purgeBySchema, purgeOneSchema, type HubQuery, type PurgeByQuery, type InstanceParams } from './schemas.js';

export function registerPurgeRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.route<{ Params: InstanceParams; Querystring: HubQuery }>({
    method: OPERATIONS.purge.route.method,
    url: operationUrl(base, OPERATIONS.purge),
    schema: purgeOneSchema,
    handler: async (request, reply) => {
      const client = await context.resolver.resolve(request.query);
      return sendJson(reply, 200, await client.purgeInstanceHistory(request.params.instanceId));
    },
  });

  app.delete<{ Querystring: PurgeByQuery }>(`${base}/instances`, { schema: purgeBySchema }, async (request, reply) => {
    const query = request.query;
    const client = await context.resolver.resolve(query);
    const result = await client.purgeInstanceHistoryBy({
      createdTimeFrom: optionalDate('createdTimeFrom', query.createdTimeFrom),
      createdTimeTo: optionalDate('createdTimeTo', query.createdTimeTo),
      runtimeStatus: optionalStatuses(query.runtimeStatus),
      name: query.name,
      instanceIdPrefix: query.instanceIdPrefix,
      tags: optionalTags(query.tag),
    });
    if (result.instancesDeleted === 0) throw new HttpError(404, 'no finished instance matches the filter; nothing was purged');
    return sendJson(reply, 200, result);
  });
}
