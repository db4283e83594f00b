/**
 * Every failure becomes JSON `{ "error": "…" }` (or the message as plain text, for callers that ask for it:
 * see error-media-type.ts) with a status a caller can act on: TaskHubError codes map to fixed statuses (the
 * CLI maps the same codes to exit codes), bad input is always 4xx, and an internal failure is a bare 500
 * whose details go to the server's log, never into the response.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifySchemaValidationError } from 'fastify';
import { TaskHubError, type TaskHubErrorCode } from '../errors.js';
import type { Logger } from '../runtime/logger.js';
import { errorMediaType } from './error-media-type.js';

const STATUS_BY_CODE: Record<TaskHubErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNKNOWN_ORCHESTRATOR: 400,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  INSTANCE_EXISTS: 409,
  WRONG_STATE: 409,
  INSTANCE_FINISHED: 410,
  // Kept total: no route awaits a deadline that throws (waits answer 202), but the table covers every code.
  TIMEOUT: 504,
  STORE_NOT_CREATED: 400,
  STORE_BUSY: 503,
};

/** A failure that belongs to the HTTP layer itself (authentication, media type, storage selection). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  if (errorMediaType(reply.request.headers.accept) === 'text') return reply.code(status).type('text/plain; charset=utf-8').send(message);
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error: message }));
}

/** The same answer on a bare Node response, for requests refused before fastify sees them. */
export function sendErrorTo(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: message }));
}

export function registerErrorHandler(app: FastifyInstance, options: { logger: Logger; bodyLimit: number }): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, message } = describeError(error, options.bodyLimit);
    // The path only: the query may hold the API key (`code`).
    const path = request.url.split('?')[0] ?? '';
    if (status >= 500) options.logger.error(`${request.method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return sendError(reply, status, message);
  });
}

/** The standalone server's answer to a URL no route takes (an embedding app keeps its own). */
export function registerNotFoundHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `there is no route ${request.method} ${truncate(request.url.split('?')[0] ?? '')}; see docs/http-api.md for the routes`),
  );
}

/** For fastify's `frameworkErrors`: URLs the router refuses before any route runs (never echoed back). */
export function sendFrameworkError(error: FastifyError, reply: FastifyReply): void {
  const messages: Record<string, string> = {
    FST_ERR_BAD_URL: 'the URL has a malformed percent-encoding',
    FST_ERR_MAX_PARAM_LENGTH: 'a path segment of the URL is too long',
  };
  void sendError(reply, error.statusCode ?? 400, messages[error.code] ?? 'the URL cannot be routed');
}

/** For fastify's `schemaErrorFormatter`: "query parameter 'top' must be <= 1000". */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], where: NonNullable<FastifyError['validationContext']>): Error {
  const first = errors[0];
  const place = { querystring: 'query parameter', params: 'path segment', body: 'body field', headers: 'header' }[where];
  if (!first) return new Error(`the ${place}s are invalid`);
  const missing = first.params.missingProperty;
  if (first.keyword === 'required' && typeof missing === 'string') return new Error(`${place} '${missing}' is required`);
  const name = first.instancePath.replace(/^\//, '').split('/')[0];
  const message = first.keyword === 'finite' ? 'must be a finite number' : (first.message ?? 'is invalid');
  return new Error(name ? `${place} '${name}' ${message}` : `the ${place}s are invalid: ${message}`);
}

function describeError(error: unknown, bodyLimit: number): { status: number; message: string } {
  if (error instanceof TaskHubError) return { status: STATUS_BY_CODE[error.code], message: error.message };
  if (error instanceof HttpError) return { status: error.statusCode, message: error.message };
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) return { status: 400, message: fastifyError.message ?? 'the request is invalid' };
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `the request body is larger than ${bodyLimit} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'send the body as JSON with the header Content-Type: application/json' };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: fastifyError.message ?? 'bad request' };
  return { status: 500, message: 'internal error; the server log has the details' };
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
