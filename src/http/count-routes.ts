/** (beyond DF) `GET …/counts`: how many instances match the list's filter, per runtime status (0 for none). */
import type { FastifyInstance } from 'fastify';
import { instanceFilterOf, type InstanceFilterQuery } from './filter-query.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { hubQuerySchema, instanceFilterProperties } from './schemas.js';

const countsSchema = { querystring: hubQuerySchema(instanceFilterProperties) } as const;

export function registerCountRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.get<{ Querystring: InstanceFilterQuery }>(`${base}/counts`, { schema: countsSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    return sendJson(reply, 200, await client.countInstances(instanceFilterOf(request.query)));
  });
}
