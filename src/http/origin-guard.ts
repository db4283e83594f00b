/**
 * Keeps web pages away from the API (docs/reliability.md, "Threat model of the HTTP server"). Browsers
 * send a POST with no body or Content-Type cross-site without a preflight, and any page can aim a
 * request at http://localhost; so:
 *
 * - a request a browser made for another site's page is refused 403: its `Sec-Fetch-Site` is `cross-site`
 *   or `same-site` (another port or subdomain), or its `Origin` is not the origin the request was sent to.
 *   Clients that are not browsers (curl, the CLI, server-side code, Durable Functions' clients) send
 *   neither header and pass, as do the server's own pages and a link followed to one of them;
 * - without an API key, a request addressed to a host name other than localhost, 127.x.x.x, [::1] or the
 *   address it arrived on is refused 421 (Misdirected Request): in a DNS rebinding attack the browser
 *   addresses the attacker's own name to this server, and to the browser that page is same-origin.
 */
import { isIPv4, type Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addressedOrigin } from './addressed-origin.js';
import { HttpError } from './errors.js';

export interface OriginGuardOptions {
  /** Refuse requests addressed to a name other than loopback's (on when the server has no API key). */
  loopbackHostsOnly: boolean;
}

export function guardAgainstOtherSites(app: FastifyInstance, options: OriginGuardOptions): void {
  // A callback hook, not an async one: no promise per request (a throw is answered as from an async hook).
  app.addHook('onRequest', (request, _reply, done) => {
    const origin = addressedOrigin(request);
    if (options.loopbackHostsOnly && origin !== undefined) refuseForeignHost(origin, request.socket);
    refuseCrossSite(request, origin);
    done();
  });
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

function refuseForeignHost(origin: URL, socket: Socket): void {
  // URL parsing has already lower-cased names and put IP addresses in their one canonical form.
  const name = origin.hostname;
  if (LOOPBACK_NAMES.has(name) || (isIPv4(name) && name.startsWith('127.'))) return;
  // Read only here: the socket's local address is a system call (getsockname) on its first read.
  if (name === canonicalAddress(socket.localAddress)) return;
  throw new HttpError(
    421,
    `this server has no API key, so it answers only requests addressed to localhost, 127.0.0.1, [::1] or the IP address they arrived on, ` +
      `not to '${name.slice(0, 100)}' (a web page can point a DNS name of its own at this machine): use one of those, or start the server with an API key`,
  );
}

/** The local address as the URL parser writes a host: IPv4 as is (also when IPv4-mapped), IPv6 in brackets. */
function canonicalAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  return isIPv4(address) ? address : new URL(`http://[${address.replace(/%.*$/, '')}]`).hostname;
}

function refuseCrossSite(request: FastifyRequest, origin: URL | undefined): void {
  if (isFollowedLink(request)) return;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, `this request was made by a web page of another site (Sec-Fetch-Site: ${site}); ${ONLY_OWN_PAGES}`);
  }
  const from = request.headers.origin;
  if (from !== undefined && !isOrigin(from, origin)) {
    throw new HttpError(403, `this request was made by a web page of another origin (${JSON.stringify(from.slice(0, 100))}); ${ONLY_OWN_PAGES}`);
  }
}

const ONLY_OWN_PAGES = "the API answers only the server's own pages and clients that are not browsers (curl, the CLI, server-side code)";

/**
 * A top-level GET of a document, such as a link to the dashboard clicked on another site: the page that
 * held the link cannot read the answer, and no GET route changes anything.
 */
function isFollowedLink(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && request.headers['sec-fetch-mode'] === 'navigate' && request.headers['sec-fetch-dest'] === 'document';
}

/**
 * Whether `Origin` names the host and port the request was sent to. The scheme may be https as well as
 * http: behind a TLS-terminating proxy the page's origin is https while this server speaks http.
 */
function isOrigin(from: string, origin: URL | undefined): boolean {
  if (origin === undefined) return false;
  let page: URL;
  try {
    page = new URL(from);
  } catch {
    return false; // `null` (a sandboxed frame, a file: page) or garbage
  }
  return (page.protocol === 'http:' || page.protocol === 'https:') && page.host === origin.host;
}
