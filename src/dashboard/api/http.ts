/**
 * Every request the dashboard makes: same origin, under the management API's base path, on the task hub
 * the page shows, with the API key when one is stored. A 401 asks for the key and tries again; any other
 * refusal becomes an ApiError carrying the server's own message.
 */
import { API_KEY_HEADER, askForKey, storedKey } from './api-key.js';

export const API_BASE = '/runtime/webhooks/durabletask';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: URLSearchParams;
  /** Sent as JSON; undefined sends no body. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

let currentHub: string | undefined;

/** The hub every request names (`taskHub`); undefined means the server's default. */
export function setTaskHub(hub: string | undefined): void {
  currentHub = hub;
}

export function apiUrl(path: string, query = new URLSearchParams()): string {
  const search = new URLSearchParams(query);
  if (currentHub) search.set('taskHub', currentHub);
  const text = search.toString();
  return `${API_BASE}${path}${text ? `?${text}` : ''}`;
}

/** The headers of every request: the key, when there is one. */
export function authHeaders(): Record<string, string> {
  const key = storedKey();
  return key ? { [API_KEY_HEADER]: key } : {};
}

export async function api<T>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
  const url = apiUrl(path, request.query);
  for (;;) {
    const hadKey = storedKey() !== null;
    const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(), ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      body: request.body === undefined ? null : JSON.stringify(request.body),
      signal: request.signal ?? null,
      credentials: 'same-origin',
    });
    if (response.status === 401) {
      await askForKey(hadKey ? 'invalid' : 'required');
      continue;
    }
    const text = await response.text();
    const body = parseJson(text);
    if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, body, text));
    return { status: response.status, body: body as T, headers: response.headers };
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessage(status: number, body: unknown, text: string): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string' && error !== '') return error;
  return `the server answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}
