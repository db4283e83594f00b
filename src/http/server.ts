/**
 * The HTTP management API of S-HTTP (under both bases of management-bases.ts) and the seed's sample
 * starters as one fastify app, over a store and a task hub. The app is returned unstarted: `serve()` listens; tests may too, on port 0.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Backend } from '../backend/backend.js';
import type { Registry } from '../authoring/registry.js';
import { DEFAULT_STORAGE_SETTING } from '../config.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { consoleLogger, type Logger } from '../runtime/logger.js';
import { requireApiKey } from './auth.js';
import { ClientResolver } from './client-resolver.js';
import { registerDashboard } from './dashboard.js';
import { HttpError, formatSchemaErrors, registerErrorHandlers, sendFrameworkError } from './errors.js';
import { registerEntityRoutes } from './entity-routes.js';
import { MANAGEMENT_BASES } from './management-bases.js';
import { registerOperationRoutes } from './operation-routes.js';
import { registerPurgeRoutes } from './purge-routes.js';
import { guardAgainstOtherSites } from './origin-guard.js';
import { addFiniteKeyword } from './schemas.js';
import { closeUnfinishedRequestsOnClose, DEFAULT_REQUEST_TIMEOUT_MS, requestDeadlineOptions } from './slow-requests.js';
import { registerStartRoutes } from './start-routes.js';
import { registerStatusRoutes } from './status-routes.js';

export interface HttpServerOptions {
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
  /** Write the API key into management URLs as `code` (off by default: URLs get logged and shared). */
  embedKeyInUrls?: boolean;
  /** The largest JSON payload (input, event data) in UTF-8 bytes. */
  maxPayloadBytes?: number;
  logger?: Logger;
  /** Where `connection=NAME` settings are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A request's headers and body must arrive within this many milliseconds, else 408 (default 30 s). */
  requestTimeoutMs?: number;
}

/** RFC 9112 section 3.2: an HTTP/1.1 request without Host is a 400 (HTTP/1.0 may leave it out). */
function requireHost(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw new HttpError(400, 'the request has no Host header, which HTTP/1.1 requires');
    }
  });
}

/** Nested paths are short; instance ids are up to 256 characters, each up to 12 once percent-encoded. */
const MAX_PARAM_LENGTH = 4096;

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const logger = options.logger ?? consoleLogger;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  // The payload limit applies to the compact JSON the client stores; the raw body may carry whitespace, so
  // the transport limit only bounds memory, at twice the payload limit.
  const bodyLimit = 2 * maxPayloadBytes;
  const deadline = requestDeadlineOptions(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const app = Fastify({
    logger: false,
    // Node would answer an HTTP/1.1 request without Host with an empty 400 of its own; requireHost answers it
    // like any other bad input.
    http: { requireHostHeader: false, ...deadline.http },
    requestTimeout: deadline.requestTimeout,
    clientErrorHandler: deadline.clientErrorHandler,
    bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    frameworkErrors: (error, _request, reply) => sendFrameworkError(error, reply),
    schemaErrorFormatter: formatSchemaErrors,
    ajv: { plugins: [addFiniteKeyword] },
  });

  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  registerErrorHandlers(app, { logger, bodyLimit });
  closeUnfinishedRequestsOnClose(app);
  requireHost(app);
  // The origin checks and the key are answered before the body is read.
  guardAgainstOtherSites(app, { loopbackHostsOnly: options.apiKey === undefined });
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
  const shutdown = new AbortController();
  const context = { resolver, shutdown: shutdown.signal };
  registerStartRoutes(app, context, MANAGEMENT_BASES);
  for (const base of MANAGEMENT_BASES) {
    registerStatusRoutes(app, context, base);
    registerOperationRoutes(app, context, base);
    registerPurgeRoutes(app, context, base);
    registerEntityRoutes(app, base);
  }
  registerDashboard(app, context, { registry: options.registry, defaultHub: options.hub, bases: MANAGEMENT_BASES });

  app.addHook('preClose', async () => shutdown.abort());
  app.addHook('onClose', async () => resolver.close());
  return app;
}
