/**
 * Durable entities are not part of taskhub. Their routes (`…/entities/{name}[/{key}]`, which Durable
 * Functions' clients call for signalEntity and readEntityState) answer 501 with a message saying so, rather
 * than the 404 of an unknown route, which those clients read as "no such entity".
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

const ENTITY_METHODS = ['GET', 'POST', 'DELETE'] as const;

export function registerEntityRoutes(app: FastifyInstance, base: string): void {
  for (const url of [`${base}/entities`, `${base}/entities/*`]) {
    app.route({
      method: [...ENTITY_METHODS],
      url,
      // Before the body is read: a signal's content, of whatever type, gets the same answer.
      onRequest: async () => {
        throw new HttpError(501, 'durable entities are not supported');
      },
      // Never reached (onRequest answers); fastify requires a handler.
      handler: async () => undefined,
    });
  }
}
