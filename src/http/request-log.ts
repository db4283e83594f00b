/** The optional request log: one line per answered request, without the query (it may hold the API key). */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../runtime/logger.js';

export function logRequests(app: FastifyInstance, logger: Logger): void {
  app.addHook('onResponse', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '';
    logger.info(`${request.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`);
    done();
  });
}
