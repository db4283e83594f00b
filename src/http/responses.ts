/** How answers leave the server: the S-HTTP status JSON, and the client's framework-neutral responses. */
import type { FastifyReply } from 'fastify';
import type { HttpResponseInit } from '../client/management-urls.js';

/** The S-HTTP status JSON; the client's HTTP helpers answer with the same. */
export { toStatusJson as statusJson } from '../client/status-view.js';

/** Sends JSON serialised here: fastify would send a string body (an orchestration's output) unquoted. */
export function sendJson(reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .code(status)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body ?? null));
}

export function sendResponse(reply: FastifyReply, response: HttpResponseInit): FastifyReply {
  const { 'Content-Type': _contentType, ...headers } = response.headers;
  return sendJson(reply, response.status, response.body, headers);
}
