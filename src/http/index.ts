/**
 * `taskhub/http`: the HTTP management API for an app's own server — a fastify plugin, a Node.js request
 * handler (Express and others) — and the standalone server of `taskhub serve`.
 */
export { taskhubPlugin, type TaskHubHttpOptions } from './plugin.js';
export { createRequestHandler, type NodeRequestHandler } from './request-handler.js';
export { createHttpServer, taskhubServerOptions, type HttpServerOptions } from './server.js';
export { serve, DEFAULT_HOST, DEFAULT_PORT, type ServeOptions, type RunningServer } from './serve.js';
