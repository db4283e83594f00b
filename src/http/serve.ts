/**
 * `taskhub serve`: loads the user's app module (its Registry of orchestrators and activities), runs a
 * worker and the HTTP server in one process, and stops them in order: HTTP first (no new work comes in),
 * then the worker (the steps and activities in hand commit), then the store.
 */
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Registry } from '../authoring/registry.js';
import { resolveConnectionString, resolveHubName } from '../config.js';
import { InvalidArgumentError } from '../errors.js';
import { consoleLogger, type Logger } from '../runtime/logger.js';
import { createTaskHub } from '../taskhub.js';
import { assertUsableApiKey } from './auth.js';
import { createHttpServer } from './server.js';

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
  apiKey?: string;
  /** Listen beyond loopback without an API key. */
  insecure?: boolean;
  embedKeyInUrls?: boolean;
  maxPayloadBytes?: number;
  /** The worker's hard history limit (WorkerOptions.maxHistoryEvents). */
  maxHistoryEvents?: number;
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
  const logger = options.logger ?? consoleLogger;
  const registry = await loadRegistry(options.appModule);
  const connectionString = options.connectionString ?? resolveConnectionString();
  const hub = resolveHubName(options.hub);
  const taskHub = await createTaskHub({ storage: connectionString, hub, registry, maxPayloadBytes: options.maxPayloadBytes, worker: { logger, maxHistoryEvents: options.maxHistoryEvents } });
  const app = createHttpServer({
    backend: taskHub.backend,
    hub,
    registry,
    connectionString,
    apiKey,
    embedKeyInUrls: options.embedKeyInUrls,
    maxPayloadBytes: options.maxPayloadBytes,
    logger,
  });
  try {
    await app.listen({ port: options.port ?? DEFAULT_PORT, host });
  } catch (error) {
    await app.close();
    await taskHub.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new InvalidArgumentError(`port ${options.port ?? DEFAULT_PORT} on ${host} is in use: choose another with --port or PORT`);
    }
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  logger.info(`serving task hub '${hub}' of ${taskHub.backend.description} on ${url}${apiKey ? ' (API key required)' : ''}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await app.close();
        await taskHub.close();
      })();
      return closing;
    },
  };
}

/** The app module's Registry: its `registry` export, else its default export. */
export async function loadRegistry(appModule: string): Promise<Registry> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(process.cwd(), appModule)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError(`cannot load the app module '${appModule}': ${(error as Error).message}`);
  }
  const registry = [module.registry, module.default].find(isRegistry);
  if (!registry) {
    throw new InvalidArgumentError(`the app module '${appModule}' exports no Registry: export one as \`registry\` or as the default export`);
  }
  return registry;
}

/** Duck-typed: the app may import taskhub from another copy of the package than the server's. */
function isRegistry(value: unknown): value is Registry {
  const candidate = value as Partial<Record<keyof Registry, unknown>> | null | undefined;
  return typeof candidate?.getOrchestrator === 'function' && typeof candidate.getActivity === 'function' && typeof candidate.hasOrchestrator === 'function';
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}
