/**
 * (beyond DF) `GET …/changes`: a server-sent-events stream that says when instances of the hub may have
 * changed, driven by the store's signals (in-process for SQLite, LISTEN/NOTIFY for PostgreSQL). Signals
 * that arrive close together become one `change` event, whose data names the instances that finished. The
 * stream carries no instance data: a listener reads what it shows again. Signals are hints (a step that
 * only sets a timer sends none), so listeners also re-read now and then.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';
import type { RouteContext } from './route-context.js';
import { hubQuerySchema, type HubQuery } from './schemas.js';

/** Signals within this window become one event: a burst of commits is one re-read, not hundreds. */
const COALESCE_MS = 250;
/** A comment line now and then keeps proxies and the browser from taking a quiet stream for a dead one. */
const HEARTBEAT_MS = 15_000;
/** How long EventSource clients wait before reconnecting after the stream ends. */
const RECONNECT_MS = 3000;
/** Instance ids named in one event at most; a listener re-reads its view whatever the list says. */
const MAX_FINISHED_IDS = 100;

const changesSchema = { querystring: hubQuerySchema({}) } as const;

export function registerChangeStream(app: FastifyInstance, context: RouteContext, base: string): void {
  const open = new Set<ServerResponse>();
  // Open streams would hold the server's shutdown for ever: they end when it starts closing.
  context.shutdown.addEventListener('abort', () => {
    for (const response of open) response.end();
  });

  app.get<{ Querystring: HubQuery }>(`${base}/changes`, { schema: changesSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    if (context.shutdown.aborted) throw new HttpError(503, 'the server is shutting down');
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);

    let finished = new Set<string>();
    let flush: NodeJS.Timeout | undefined;
    const unsubscribe = client.subscribe((signal) => {
      if (signal.kind === 'finished' && finished.size < MAX_FINISHED_IDS) finished.add(signal.instanceId);
      flush ??= setTimeout(() => {
        flush = undefined;
        response.write(`event: change\ndata: ${JSON.stringify({ finished: [...finished] })}\n\n`);
        finished = new Set();
      }, COALESCE_MS);
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    open.add(response);
    response.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(flush);
      open.delete(response);
    });
  });
}
