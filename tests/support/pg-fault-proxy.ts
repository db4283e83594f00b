/**
 * A TCP proxy between taskhub and PostgreSQL that reads the wire protocol far enough to know, for each
 * request (a simple Query, or an extended-protocol batch up to its Sync), which statements it ran and when
 * the server finished it: the server's ReadyForQuery ends every request, and it is sent only once the
 * request's transaction, implicit or explicit, has committed (or rolled back). The proxy holds the server's
 * reply to each request until that ReadyForQuery and then asks the test's `fate` what to do with it:
 * forward it, or drop the connection instead, leaving the client with a commit it cannot know about (the
 * ambiguous commit, T08 in docs/reliability.md). `pause()` stops forwarding both ways (bytes wait in the
 * kernel's buffers, as in a network partition); `resume()` lets them go on.
 */
import net from 'node:net';

/** One request the server has answered, as the proxy saw it. */
export interface AnsweredRequest {
  /** The statements' text (for named prepared statements, the text they were prepared with). */
  statements: string[];
  /** The CommandComplete tags of the reply (`COMMIT`, `SELECT 1`, …). */
  tags: string[];
  /** The reply held an ErrorResponse: the server rolled the request's implicit transaction back. */
  failed: boolean;
}

export type Fate = 'forward' | 'drop';

export interface PgFaultProxy {
  readonly port: number;
  /** `base` (a postgres:// URL) with host and port replaced by the proxy's. */
  url(base: string): string;
  /** Decides, for each answered request after the connection's start-up, whether the reply gets through. */
  fate: (request: AnsweredRequest) => Fate;
  /** Requests whose reply was dropped with the connection. */
  readonly dropped: AnsweredRequest[];
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

const STARTUP = Symbol('start-up');

interface Request {
  statements: string[] | typeof STARTUP;
  tags: string[];
  failed: boolean;
  /** Server bytes of this request's reply, held until its ReadyForQuery. */
  held: Buffer[];
}

export async function startPgFaultProxy(target: { host: string; port: number }, listenHost = '127.0.0.1'): Promise<PgFaultProxy> {
  const sockets = new Set<net.Socket>();
  let paused = false;
  const proxy = {
    port: 0,
    url(base: string) {
      const url = new URL(base);
      url.hostname = listenHost;
      url.port = String(this.port);
      return url.toString();
    },
    fate: (() => 'forward') as (request: AnsweredRequest) => Fate,
    dropped: [] as AnsweredRequest[],
    pause() {
      paused = true;
      for (const socket of sockets) socket.pause();
    },
    resume() {
      paused = false;
      for (const socket of sockets) socket.resume();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      if (paused) socket.pause();
    }
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    relay(client, upstream, proxy, end);
  });
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}

/** Parses one connection's two directions and forwards them, dropping it when `fate` says so. */
function relay(client: net.Socket, upstream: net.Socket, proxy: PgFaultProxy, end: () => void): void {
  const waiting: Request[] = [{ statements: STARTUP, tags: [], failed: false, held: [] }];
  let building: string[] = [];
  /** Prepared statement texts by name ('' is the unnamed one). */
  const prepared = new Map<string, string>();

  const fromClient = messageReader(true, (type, body, raw) => {
    if (type === 'Q') {
      waiting.push({ statements: [cString(body, 0).text], tags: [], failed: false, held: [] });
    } else if (type === 'P') {
      const name = cString(body, 0);
      prepared.set(name.text, cString(body, name.next).text);
    } else if (type === 'B') {
      const portal = cString(body, 0);
      building.push(prepared.get(cString(body, portal.next).text) ?? '');
    } else if (type === 'S') {
      waiting.push({ statements: building, tags: [], failed: false, held: [] });
      building = [];
    }
    upstream.write(raw);
  });
  const fromServer = messageReader(false, (type, body, raw) => {
    const request = waiting[0];
    if (!request) {
      client.write(raw); // Between requests: a notification, a notice, a parameter change.
      return;
    }
    request.held.push(raw);
    if (type === 'C') request.tags.push(cString(body, 0).text);
    else if (type === 'E') request.failed = true;
    else if (type === 'Z') {
      waiting.shift();
      if (request.statements !== STARTUP) {
        const answered: AnsweredRequest = { statements: request.statements, tags: request.tags, failed: request.failed };
        if (proxy.fate(answered) === 'drop') {
          proxy.dropped.push(answered);
          end();
          return;
        }
      }
      for (const bytes of request.held) client.write(bytes);
    }
  });
  client.on('data', fromClient);
  upstream.on('data', fromServer);
}

/**
 * Splits a stream into protocol messages: a type byte and a length that counts itself. The client's first
 * message (the start-up packet) has no type byte.
 */
function messageReader(startsWithStartup: boolean, onMessage: (type: string, body: Buffer, raw: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let startup = startsWithStartup;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const header = startup ? 4 : 5;
      if (pending.length < header) return;
      const length = pending.readUInt32BE(startup ? 0 : 1);
      const total = length + (startup ? 0 : 1);
      if (pending.length < total) return;
      const raw = pending.subarray(0, total);
      onMessage(startup ? '' : String.fromCharCode(raw[0]!), raw.subarray(header), Buffer.from(raw));
      pending = pending.subarray(total);
      startup = false;
    }
  };
}

function cString(buffer: Buffer, start: number): { text: string; next: number } {
  const zero = buffer.indexOf(0, start);
  const stop = zero < 0 ? buffer.length : zero;
  return { text: buffer.toString('utf8', start, stop), next: stop + 1 };
}
