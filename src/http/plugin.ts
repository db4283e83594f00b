/**
 * The HTTP management API and the seed's sample starters as a fastify plugin, for `taskhub serve` and for
 * an app's own fastify server (`app.register(taskhubPlugin, options)`). Everything it sets — body parsing,
 * validation, error answers, the API key — is encapsulated: it applies to taskhub's routes and leaves the
 * host app's own routes alone. Route groups are registered in `registerRoutes`, one function per group.
 */
import { Ajv } from 'ajv';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Backend } from '../backend/backend.js';
import type { Registry } from '../authoring/registry.js';
import { DEFAULT_STORAGE_SETTING } from '../config.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { defaultLogger } from '../logging/pino-logger.js';
import type { Logger } from '../runtime/logger.js';
import { requireApiKey } from './auth.js';
import { ClientResolver } from './client-resolver.js';
import { registerBatchRoutes } from './batch-routes.js';
import { registerDashboard } from './dashboard.js';
import { registerRetentionRoutes } from './retention-routes.js';
import { HttpError, formatSchemaErrors, registerErrorHandler } from './errors.js';
import { registerEntityRoutes } from './entity-routes.js';
import { MANAGEMENT_BASES } from './management-bases.js';
import { guardAgainstOtherSites } from './origin-guard.js';
import { registerOperationRoutes } from './operation-routes.js';
import { registerPurgeRoutes } from './purge-routes.js';
import { logRequests } from './request-log.js';
import type { RouteContext } from './route-context.js';
import { addFiniteKeyword } from './schemas.js';
import { registerStartRoutes } from './start-routes.js';
import { registerStatusRoutes } from './status-routes.js';

export interface TaskHubHttpOptions {
  /** The server's store; the caller opens and closes it. */
  backend: Backend;
  /** The default task hub (`taskHub` selects another). */
  hub: string;
  /** The app's orchestrators: starting a name it lacks is answered 400 (S-START-5). */
  registry?: Registry;
  /** The store's connection string, so a `connection` setting naming the same store reuses it. */
  connectionString?: string;
  /** The `connection` value that means the server's own store, echoed in URLs (default TASKHUB_STORAGE). */
  connectionName?: string;
  /** When set, every request must carry it (`x-functions-key` header or `code` query parameter); an empty key is refused. */
  apiKey?: string;
  /**
   * Answer only requests addressed to localhost, 127.x.x.x, [::1] or the address they arrived on (421
   * otherwise), which stops DNS rebinding (docs/reliability.md, "Threat model of the HTTP server").
   * Default: on when there is no API key. Requests a browser made for another site's page are refused
   * (403) whatever this says.
   */
  loopbackHostsOnly?: boolean;
  /** Write the API key into management URLs as `code` (off by default: URLs get logged and shared). */
  embedKeyInUrls?: boolean;
  /** The largest JSON payload (input, event data) in UTF-8 bytes. */
  maxPayloadBytes?: number;
  logger?: Logger;
  /** Where `connection=NAME` settings are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The seed's sample starters, `POST /orchestrators/{name}[/{id}|/wait]` (default true). */
  sampleStarters?: boolean;
  /** One line per request (method, path without the query, status, time) at info level (default off). */
  requestLog?: boolean;
  /**
   * The dashboard: its page at the app's root (`/`, `/instances/{id}`) and the routes it reads (counts,
   * histogram, history pages, change stream, catalog) under each management base. Default off: an app's
   * own `/` is its own; `taskhub serve` turns it on.
   */
  dashboard?: boolean;
}

export const taskhubPlugin: FastifyPluginAsync<TaskHubHttpOptions> = async (app, options) => {
  if (app.prefix !== '') {
    // Durable Functions clients follow the management URLs, which name /runtime/webhooks/durabletask.
    throw new Error(`register the taskhub plugin without a prefix (got '${app.prefix}'): its routes keep Durable Functions' paths`);
  }
  const logger = options.logger ?? defaultLogger();
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const bodyLimit = transportBodyLimit(maxPayloadBytes);

  parseJsonBodies(app, bodyLimit);
  validateWithFiniteNumbers(app);
  registerErrorHandler(app, { logger, bodyLimit });
  if (options.requestLog) logRequests(app, logger);
  // The origin checks and the key are answered before the body is read.
  guardAgainstOtherSites(app, { loopbackHostsOnly: options.loopbackHostsOnly ?? options.apiKey === undefined });
  if (options.apiKey !== undefined) requireApiKey(app, options.apiKey);

  const resolver = new ClientResolver({
    backend: options.backend,
    connectionString: options.connectionString,
    connectionName: options.connectionName ?? DEFAULT_STORAGE_SETTING,
    hub: options.hub,
    registry: options.registry,
    maxPayloadBytes,
    embeddedApiKey: options.embedKeyInUrls ? options.apiKey : undefined,
    logger,
    env: options.env,
  });
  // The long polls all listen for it through one listener (src/client/abort-listeners.ts).
  const shutdown = new AbortController();
  registerRoutes(app, { resolver, shutdown: shutdown.signal }, options);

  app.addHook('preClose', async () => shutdown.abort());
  app.addHook('onClose', async () => resolver.close());
};

function registerRoutes(app: FastifyInstance, context: RouteContext, options: TaskHubHttpOptions): void {
  registerStartRoutes(app, context, MANAGEMENT_BASES, { sampleStarters: options.sampleStarters ?? true });
  for (const base of MANAGEMENT_BASES) {
    registerStatusRoutes(app, context, base);
    registerOperationRoutes(app, context, base);
    registerPurgeRoutes(app, context, base);
    registerBatchRoutes(app, context, base);
    registerRetentionRoutes(app, context, base);
    registerEntityRoutes(app, base);
  }
  if (options.dashboard) registerDashboard(app, context, { registry: options.registry, defaultHub: options.hub, bases: MANAGEMENT_BASES });
}

/**
 * The payload limit applies to the compact JSON the client stores; the raw body may carry whitespace, so
 * the transport limit only bounds memory, at twice the payload limit.
 */
export function transportBodyLimit(maxPayloadBytes: number): number {
  return 2 * maxPayloadBytes;
}

/** Bodies are JSON only (415 otherwise); an empty body means "no input"; a string body stays a string. */
function parseJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}

/**
 * The routes' schemas use the `finite` keyword (schemas.ts), which the host app's validator does not know:
 * the plugin validates with its own Ajv, set up as fastify's default one is.
 */
function validateWithFiniteNumbers(app: FastifyInstance): void {
  const ajv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false });
  addFiniteKeyword(ajv);
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.setSchemaErrorFormatter(formatSchemaErrors);
}
