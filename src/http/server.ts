/**
 * The standalone HTTP server of `taskhub serve`: a fastify app with the server-wide settings (router,
 * Host checks, 404s, health probes) around the taskhub plugin (plugin.ts), which holds the API itself.
 * The app is returned unstarted: `serve()` listens; tests may too, on port 0.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { defaultLogger } from '../logging/pino-logger.js';
import { HttpError, registerErrorHandler, registerNotFoundHandler, sendFrameworkError } from './errors.js';
import { requireApiKey } from './auth.js';
import { registerHealthRoutes } from './health-routes.js';
import { logRequests } from './request-log.js';
import { guardAgainstOtherSites } from './origin-guard.js';
import { taskhubPlugin, transportBodyLimit, type TaskHubHttpOptions } from './plugin.js';
import { closeUnfinishedRequestsOnClose, DEFAULT_REQUEST_TIMEOUT_MS, requestDeadlineOptions } from './slow-requests.js';

export interface HttpServerOptions extends TaskHubHttpOptions {
  /** A request's headers and body must arrive within this many milliseconds, else 408 (default 30 s). */
  requestTimeoutMs?: number;
}

/** Nested paths are short; instance ids are up to 256 characters, each up to 12 once percent-encoded. */
const MAX_PARAM_LENGTH = 4096;

/**
 * The fastify server options taskhub's routes want; an app embedding the plugin passes them to `Fastify()`
 * for instance ids longer than fastify's default 100 characters and JSON answers to malformed URLs.
 */
export const taskhubServerOptions = {
  routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
  frameworkErrors: (error, _request, reply) => sendFrameworkError(error, reply),
} satisfies FastifyServerOptions;

/** RFC 9112 section 3.2: an HTTP/1.1 request without Host is a 400 (HTTP/1.0 may leave it out). */
function requireHost(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw new HttpError(400, 'the request has no Host header, which HTTP/1.1 requires');
    }
    done();
  });
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const logger = options.logger ?? defaultLogger();
  const bodyLimit = transportBodyLimit(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
  const deadline = requestDeadlineOptions(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const app = Fastify({
    ...taskhubServerOptions,
    logger: false,
    // Node would answer an HTTP/1.1 request without Host with an empty 400 of its own; requireHost answers it
    // like any other bad input.
    http: { requireHostHeader: false, ...deadline.http },
    requestTimeout: deadline.requestTimeout,
    clientErrorHandler: deadline.clientErrorHandler,
    bodyLimit,
  });
  // The plugin answers errors of its routes itself; this one answers those of the server's own.
  registerErrorHandler(app, { logger, bodyLimit });
  closeUnfinishedRequestsOnClose(app);
  requireHost(app);
  // The origin checks and the key are answered before the body is read, on the server's own routes too
  // (the plugin checks its routes again, as it must when embedded).
  const loopbackHostsOnly = options.apiKey === undefined;
  guardAgainstOtherSites(app, { loopbackHostsOnly });
  // Every request of the server needs the key, unknown paths too; the probes and the dashboard's files are
  // marked withoutApiKey.
  if (options.apiKey !== undefined) requireApiKey(app, options.apiKey);
  registerNotFoundHandler(app);
  registerHealthRoutes(app, options.backend, options.hub, logger);
  // Logged here, for every route of the server; the plugin's own request log is for embedding apps.
  if (options.requestLog) logRequests(app, logger);
  void app.register(taskhubPlugin, { dashboard: true, ...options, logger, requestLog: false, loopbackHostsOnly });
  return app;
}
