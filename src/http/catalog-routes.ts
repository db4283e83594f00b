/**
 * (beyond DF) What a caller can choose from: `GET …/orchestrators` lists the app's orchestrator names (what
 * can be started), `GET …/taskhubs` the hubs of the store (those holding an instance, and the server's own).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../authoring/registry.js';
import type { RouteContext } from './route-context.js';
import { sendJson } from './responses.js';
import { hubQuerySchema, type HubQuery } from './schemas.js';

const catalogSchema = { querystring: hubQuerySchema({}) } as const;

export interface CatalogOptions {
  registry: Registry | undefined;
  /** The server's default hub, listed even while it is empty. */
  defaultHub: string;
}

export function registerCatalogRoutes(app: FastifyInstance, context: RouteContext, options: CatalogOptions, base: string): void {
  app.get(`${base}/orchestrators`, { schema: catalogSchema }, async (_request, reply) =>
    sendJson(reply, 200, { orchestrators: options.registry?.orchestratorNames() ?? [] }),
  );

  app.get<{ Querystring: HubQuery }>(`${base}/taskhubs`, { schema: catalogSchema }, async (request, reply) => {
    const client = await context.resolver.resolve({ connection: request.query.connection });
    const hubs = new Set([...(await client.listTaskHubs()), options.defaultHub]);
    return sendJson(reply, 200, { defaultTaskHub: options.defaultHub, taskHubs: [...hubs].sort() });
  });
}
