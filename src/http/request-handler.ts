/**
 * The HTTP API as a Node.js request handler, for Express, Koa, a bare `http.createServer` or any framework
 * that hands over Node's request and response: the taskhub plugin in a fastify instance of its own that
 * never listens (fastify's `serverFactory` gives its handler). As Express middleware it answers the paths
 * taskhub owns (the management bases and the sample starters) and passes every other request on with `next()`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { registerNotFoundHandler, sendErrorTo } from './errors.js';
import { MANAGEMENT_BASES } from './management-bases.js';
import { SAMPLE_STARTER_PATH } from './paths.js';
import { taskhubPlugin, transportBodyLimit, type TaskHubHttpOptions } from './plugin.js';
import { taskhubServerOptions } from './server.js';

export interface NodeRequestHandler {
  (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void;
  /** Closes the handler's fastify instance (its hooks abort long polls); not the store. */
  close(): Promise<void>;
}

export async function createRequestHandler(options: TaskHubHttpOptions): Promise<NodeRequestHandler> {
  let route: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const app = Fastify({
    ...taskhubServerOptions,
    logger: false,
    bodyLimit: transportBodyLimit(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES),
    serverFactory: (handler) => {
      route = handler;
      return createServer();
    },
  });
  registerNotFoundHandler(app);
  await app.register(taskhubPlugin, options);
  await app.ready();
  const owned = [
    ...MANAGEMENT_BASES.map((base) => `${base}/`),
    ...(options.sampleStarters === false ? [] : [`${SAMPLE_STARTER_PATH}/`]),
    // The dashboard's page and assets (dashboard-files.ts); `//` is the root with the slash added below.
    ...(options.dashboard ? ['//', '/instances/', '/assets/'] : []),
  ];
  const handler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => {
    const path = `${(request.url ?? '/').split('?')[0]}/`;
    if (next && !owned.some((prefix) => (prefix === '//' ? path === prefix : path.startsWith(prefix)))) return next();
    if (request.readableEnded && hasBody(request)) {
      // fastify would wait for a body another middleware has already read.
      return sendErrorTo(response, 500, "the request body was read before taskhub's handler: mount it before body parsers such as express.json()");
    }
    route!(request, response);
  };
  return Object.assign(handler, { close: () => app.close() });
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}
