/** (beyond DF) `GET …/retention` answers the hub's retention policy and its last run; `PUT …/retention` with the policy as JSON replaces it. */
import type { FastifyInstance } from 'fastify';
import type { RetentionPolicy } from '../client/retention.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { hubQuerySchema, type HubQuery } from './schemas.js';

const getSchema = { querystring: hubQuerySchema({}) } as const;
// The body is checked by the client, which names an unknown setting rather than dropping it.
const putSchema = { querystring: hubQuerySchema({}), body: { type: 'object' } } as const;

export function registerRetentionRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.get<{ Querystring: HubQuery }>(`${base}/retention`, { schema: getSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    return sendJson(reply, 200, await client.getRetention());
  });
  app.put<{ Querystring: HubQuery; Body: RetentionPolicy }>(`${base}/retention`, { schema: putSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    return sendJson(reply, 200, await client.setRetention(request.body));
  });
}
