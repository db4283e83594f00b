/**
 * The dashboard and the routes beyond Durable Functions' API that it reads (each documented in
 * docs/http-api.md, usable by any client): counts, the histogram, raw history pages, the change stream,
 * the orchestrator names and the task hubs.
 */
import type { FastifyInstance } from 'fastify';
import { registerCatalogRoutes, type CatalogOptions } from './catalog-routes.js';
import { registerChangeStream } from './change-stream.js';
import { registerCountRoutes } from './count-routes.js';
import { registerDashboardFiles } from './dashboard-files.js';
import { registerHistogramRoutes } from './histogram-routes.js';
import { registerHistoryRoutes } from './history-routes.js';
import type { RouteContext } from './route-context.js';

export interface DashboardOptions extends CatalogOptions {
  /** Where the management API is served; the routes are under each. */
  bases: readonly string[];
}

export function registerDashboard(app: FastifyInstance, context: RouteContext, options: DashboardOptions): void {
  for (const base of options.bases) {
    registerCountRoutes(app, context, base);
    registerHistogramRoutes(app, context, base);
    registerHistoryRoutes(app, context, base);
    registerChangeStream(app, context, base);
    registerCatalogRoutes(app, context, options, base);
  }
  registerDashboardFiles(app);
}
