/**
 * The API key: when the server has one, every request must carry it as the `x-functions-key` header or the
 * `code` query parameter (as Durable Functions' system key), or is answered 401 before its body is read —
 * except the routes marked `withoutApiKey`: the dashboard's files and the health probes, which hold no data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import { HttpError } from './errors.js';

export const API_KEY_HEADER = 'x-functions-key';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Served without the key: the dashboard's files, which hold no data and load before it can send one,
     * and the health probes, which process supervisors call without one.
     */
    withoutApiKey?: boolean;
  }
}

/** An empty key would make a server that looks protected: refused, rather than taken as "no key". */
export function assertUsableApiKey(apiKey: string | undefined): void {
  if (apiKey?.trim() === '') throw new InvalidArgumentError('the API key is empty: give a key, or leave it out to serve without one on loopback');
}

export function requireApiKey(app: FastifyInstance, apiKey: string): void {
  assertUsableApiKey(apiKey);
  const expected = digest(apiKey);
  // A callback hook, not an async one: no promise per request (a throw is answered as from an async hook).
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.withoutApiKey === true) return done();
    const given = presentedKey(request);
    if (given === undefined) {
      throw new HttpError(401, `this server requires an API key: send it in the ${API_KEY_HEADER} header or the code query parameter`);
    }
    // Digests have one length, so the comparison takes the same time whatever the key's length or content.
    if (!timingSafeEqual(digest(given), expected)) throw new HttpError(401, 'the API key is not valid');
    done();
  });
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const code = (request.query as Record<string, unknown> | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
