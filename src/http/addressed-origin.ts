/**
 * The origin a request was addressed to, parsed once per request: the server's origin check, the plugin's
 * (which runs again, as it must when the plugin is embedded) and the management URLs of the answer all read
 * it, and each parse is a regular expression and a URL (docs/benchmarks.md, "taskhub serve under load").
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { requestOrigin } from '../client/management-urls.js';

const ABSOLUTE_URL = /^https?:\/\//i;
const parsed = new WeakMap<IncomingMessage, URL | undefined>();

/** `http://<Host>` (or the request line's absolute URL); undefined for HTTP/1.0 without Host; 400 for a malformed Host. */
export function addressedOrigin(request: FastifyRequest): URL | undefined {
  if (parsed.has(request.raw)) return parsed.get(request.raw);
  const origin = request.headers.host === undefined && !ABSOLUTE_URL.test(request.url) ? undefined : new URL(requestOrigin({ url: request.url, headers: request.headers }));
  parsed.set(request.raw, origin);
  return origin;
}

/**
 * The origin management URLs are built on; a bad or missing Host throws InvalidArgumentError (400). Routes
 * that change state call it first, so such a request changes nothing.
 */
export function managementOrigin(request: FastifyRequest): string {
  return addressedOrigin(request)?.origin ?? requestOrigin({ url: request.url, headers: request.headers });
}
