/**
 * `taskhub serve`: loads the user's app module (its Registry of orchestrators and activities), runs a
 * worker and the HTTP server in one process, and stops them in order: HTTP first (no new work comes in),
 * then the worker (the steps and activities in hand commit), then the store.
 */
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { resolveConnectionString, resolveHubName } from '../config.js';
import { InvalidArgumentError } from '../errors.js';
import { defaultLogger } from '../logging/pino-logger.js';
import { openStore } from '../open-store.js';
import type { Logger } from '../runtime/logger.js';
import { createTaskHub, type TaskHub } from '../taskhub.js';
import { VERSION } from '../version.js';
import { loadRegistry } from './app-module.js';
import { assertUsableApiKey } from './auth.js';
import { createHttpServer } from './server.js';
import { MANAGEMENT_BASE_PATH } from '../client/management-urls.js';

export interface ServeOptions {
  /** Path of the app module (relative to the working directory); it exports `registry` or a default Registry. */
  appModule: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Any other address needs an API key, or `insecure`. */
  host?: string;
  /** Default: TASKHUB_HUB, else host.json, else DurableFunctionsHub. */
  hub?: string;
  /** Default: TASKHUB_STORAGE, else the embedded SQLite file. */
  connectionString?: string;
  /** The setting the connection string came from, echoed as `connection` in management URLs (default TASKHUB_STORAGE). */
  connectionName?: string;
  apiKey?: string;
  /** Listen beyond loopback without an API key. */
  insecure?: boolean;
  embedKeyInUrls?: boolean;
  maxPayloadBytes?: number;
  /** The worker's hard history limit (WorkerOptions.maxHistoryEvents). */
  maxHistoryEvents?: number;
  /** A line per request. */
  requestLog?: boolean;
  logger?: Logger;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:7071 */
  url: string;
  /** Stops HTTP, then the worker, then the store. Safe to call more than once. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7071;
export const DEFAULT_HOST = '127.0.0.1';

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const apiKey = options.apiKey;
  assertUsableApiKey(apiKey);
  if (!apiKey && !options.insecure && !isLoopback(host)) {
    throw new InvalidArgumentError(
      `refusing to listen on ${host} without an API key: anyone who can reach it could manage every instance. ` +
        'Set an API key (--api-key-file or TASKHUB_API_KEY), or pass --insecure to accept the risk',
    );
  }
  const logger = options.logger ?? defaultLogger();
  const registry = await loadRegistry(options.appModule);
  const connectionString = options.connectionString ?? resolveConnectionString();
  const hub = resolveHubName(options.hub);
  const backend = await openStore(connectionString, 'write');
  const stopAll = async (taskHub?: { close(): Promise<void> }) => {
    await taskHub?.close();
    await backend.close();
  };
  let taskHub: TaskHub;
  try {
    taskHub = await createTaskHub({
      storage: backend,
      hub,
      registry,
      maxPayloadBytes: options.maxPayloadBytes,
      worker: { logger, maxHistoryEvents: options.maxHistoryEvents },
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  const app = createHttpServer({
    backend,
    hub,
    registry,
    connectionString,
    connectionName: options.connectionName,
    apiKey,
    embedKeyInUrls: options.embedKeyInUrls,
    maxPayloadBytes: options.maxPayloadBytes,
    requestLog: options.requestLog,
    logger,
  });
  try {
    await app.listen({ port: options.port ?? DEFAULT_PORT, host });
  } catch (error) {
    await app.close();
    await stopAll(taskHub);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new InvalidArgumentError(`port ${options.port ?? DEFAULT_PORT} on ${host} is in use: choose another with --port or PORT`);
    }
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  for (const line of startupBanner({ appModule: options.appModule, store: backend.description, hub, url, apiKey: apiKey !== undefined, workerId: taskHub.worker?.workerId })) {
    logger.info(line);
  }

  let closing: Promise<void> | undefined;
  const running = taskHub;
  return {
    url,
    close() {
      closing ??= (async () => {
        const started = Date.now();
        logger.info('stopping: no new requests; the steps and activities in hand finish first');
        await app.close();
        await stopAll(running);
        logger.info(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      })();
      return closing;
    },
  };
}

interface BannerFacts {
  appModule: string;
  store: string;
  hub: string;
  url: string;
  apiKey: boolean;
  workerId: string | undefined;
}

/** What a person starting the server wants to see first: what runs, on which store, where to reach it. */
function startupBanner(facts: BannerFacts): string[] {
  return [
    `taskhub ${VERSION}: app ${facts.appModule}${facts.workerId ? `, worker ${facts.workerId}` : ''}`,
    `serving task hub '${facts.hub}' of ${facts.store} on ${facts.url}${facts.apiKey ? ' (API key required)' : ''}`,
    `dashboard ${facts.url}/`,
    `management API ${facts.url}${MANAGEMENT_BASE_PATH}/instances · health ${facts.url}/healthz · readiness ${facts.url}/readyz`,
  ];
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}
