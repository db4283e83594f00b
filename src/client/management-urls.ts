/**
 * The check-status response and management URLs of S-PAYLOAD-1, framework-neutral: they take the
 * request's URL and return status, headers and body, so taskhub's server and a user's own server can
 * both answer with them.
 */
import { DEFAULT_STORAGE_SETTING } from '../config.js';
import { InvalidArgumentError } from '../errors.js';

export const MANAGEMENT_BASE_PATH = '/runtime/webhooks/durabletask';

export interface HttpManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export interface ManagementUrlOptions {
  hub: string;
  /**
   * The storage connection setting's name, echoed as `connection`; default TASKHUB_STORAGE, the name
   * `taskhub serve` writes and its own store answers to.
   */
  connection?: string;
  /** Written into the URLs as `code` only when given (the server passes it with --embed-key-in-urls). */
  embeddedApiKey?: string;
}

/** What an HTTP handler should answer: status, headers and a JSON body. */
export interface HttpResponseInit {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A request as any Node.js framework gives it: an absolute URL, or a path with a Host header. */
export type RequestLike = string | URL | { url?: string; headers?: Record<string, string | string[] | undefined> };

/** A host name, IPv4 address or bracketed IPv6 address, then an optional port. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[^\s/\\?#@[\]:]+)(:\d{1,5})?$/;

export function requestOrigin(request: RequestLike): string {
  if (request instanceof URL) return request.origin;
  if (typeof request === 'string') return parseAbsolute(request).origin;
  const url = request.url ?? '/';
  if (/^https?:\/\//i.test(url)) return parseAbsolute(url).origin;
  const hostHeader = request.headers?.host;
  const host = Array.isArray(hostHeader) ? hostHeader[0] : hostHeader;
  if (!host) {
    throw new InvalidArgumentError(
      'cannot build management URLs: the request has neither an absolute URL nor a Host header; send Host with the address of the server',
    );
  }
  // URL parsing alone would take `example.com/x` or `user@example.com` as a host and quietly drop the rest.
  if (!HOST_HEADER.test(host)) throw invalidHost(host);
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    throw invalidHost(host);
  }
}

function invalidHost(host: string): InvalidArgumentError {
  const shown = JSON.stringify(host.length > 100 ? `${host.slice(0, 100)}…` : host);
  return new InvalidArgumentError(`the Host header ${shown} is not a host name with an optional port, such as localhost:7071`);
}

export function createHttpManagementPayload(origin: string, instanceId: string, options: ManagementUrlOptions): HttpManagementPayload {
  const instanceUrl = `${origin}${MANAGEMENT_BASE_PATH}/instances/${encodeURIComponent(instanceId)}`;
  const query = new URLSearchParams({ taskHub: options.hub, connection: options.connection ?? DEFAULT_STORAGE_SETTING });
  if (options.embeddedApiKey !== undefined) query.set('code', options.embeddedApiKey);
  const common = query.toString();
  return {
    id: instanceId,
    statusQueryGetUri: `${instanceUrl}?${common}`,
    sendEventPostUri: `${instanceUrl}/raiseEvent/{eventName}?${common}`,
    terminatePostUri: `${instanceUrl}/terminate?reason={text}&${common}`,
    rewindPostUri: `${instanceUrl}/rewind?reason={text}&${common}`,
    purgeHistoryDeleteUri: `${instanceUrl}?${common}`,
    restartPostUri: `${instanceUrl}/restart?${common}`,
    suspendPostUri: `${instanceUrl}/suspend?reason={text}&${common}`,
    resumePostUri: `${instanceUrl}/resume?reason={text}&${common}`,
  };
}

/** 202 with the management payload, `Location` to poll and `Retry-After: 10` (S-PAYLOAD-1). */
export function createCheckStatusResponse(request: RequestLike, instanceId: string, options: ManagementUrlOptions): HttpResponseInit {
  const payload = createHttpManagementPayload(requestOrigin(request), instanceId, options);
  return {
    status: 202,
    headers: { 'Content-Type': 'application/json; charset=utf-8', Location: payload.statusQueryGetUri, 'Retry-After': '10' },
    body: payload,
  };
}

function parseAbsolute(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new InvalidArgumentError(`'${url}' is not an absolute URL`);
  }
}
