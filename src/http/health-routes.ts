/**
 * Probes for process supervisors and container orchestrators: `GET /healthz` answers while the process
 * does (liveness); `GET /readyz` answers 200 only while the store does (readiness), 503 otherwise. Neither
 * needs the API key: they say nothing about instances. Probe failures go to the log, not the answer.
 */
import type { FastifyInstance } from 'fastify';
import type { Backend } from '../backend/backend.js';
import type { Logger } from '../runtime/logger.js';
import { sendJson } from './responses.js';

/** A store slower than this is not ready: probes have timeouts of their own (Kubernetes: 1 s by default). */
const READY_TIMEOUT_MS = 900;

export function registerHealthRoutes(app: FastifyInstance, backend: Backend, hub: string, logger: Logger): void {
  const config = { withoutApiKey: true };
  app.get('/healthz', { config }, async (_request, reply) => sendJson(reply, 200, { status: 'ok' }));
  app.get('/readyz', { config }, async (_request, reply) => {
    const problem = await storeProblem(backend, hub);
    if (problem === undefined) return sendJson(reply, 200, { status: 'ready' });
    logger.warn(`readiness probe: the store ${backend.description} ${problem}`);
    return sendJson(reply, 503, { status: 'unavailable', error: 'the store does not answer; the server log has the details' });
  });
}

/** A read of the hub's next due time: a query on both stores (their clocks alone may not touch the store). */
async function storeProblem(backend: Backend, hub: string): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`did not answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS)));
  try {
    return await Promise.race([backend.nextWakeAt(hub).then(() => undefined, (error: unknown) => `failed: ${(error as Error).message}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
