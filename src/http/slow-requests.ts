/**
 * A client that sends its request slowly (a body trickled a byte at a time, headers never finished)
 * must not hold a request, a connection or the server's shutdown for as long as it likes:
 *
 * - the whole request, headers and body, must arrive within `requestTimeoutMs` (default 30 s), or the
 *   answer is 408 and the connection is closed; the time spent answering (a long poll) does not count;
 * - when the server closes, connections whose request has not fully arrived are closed at once: nothing
 *   has run for them, so nothing is lost. Requests that arrived finish (long polls answer 202 at once).
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How often Node looks for requests past their deadline: at most a second, so the deadline holds to a second. */
const MAX_CHECK_INTERVAL_MS = 1000;

/** Fastify's options for the deadline, and one-line JSON answers to requests Node refuses before fastify sees them. */
export function requestDeadlineOptions(requestTimeoutMs: number): Pick<FastifyServerOptions, 'requestTimeout' | 'clientErrorHandler'> & {
  http: { headersTimeout: number; connectionsCheckingInterval: number };
} {
  const seconds = requestTimeoutMs / 1000;
  return {
    requestTimeout: requestTimeoutMs,
    // Node refuses a headersTimeout longer than requestTimeout, and the headers are part of the request.
    http: { headersTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, Math.max(10, requestTimeoutMs / 4)) },
    clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, message] =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, `the request did not arrive within ${seconds} s; send the headers and the body without pausing`]
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'the request headers are larger than 16 KiB']
            : [400, 'the request is not valid HTTP/1.1'];
      const body = JSON.stringify({ error: message });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
  };
}

/** At close, ends every connection that has no request past its headers and body (partial ones included). */
export function closeUnfinishedRequestsOnClose(app: FastifyInstance): void {
  const sockets = new Set<Socket>();
  /** Sockets whose current request has fully arrived and is being answered. */
  const answering = new Set<Socket>();
  const server: Server = app.server;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      answering.delete(socket);
    });
  });
  // Callback hooks, not async ones: no promise per request for two set operations.
  app.addHook('preHandler', (request, _reply, done) => {
    answering.add(request.raw.socket);
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    answering.delete(request.raw.socket);
    done();
  });
  app.addHook('preClose', async () => {
    for (const socket of sockets) if (!answering.has(socket)) socket.destroy();
  });
}
