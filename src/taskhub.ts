/**
 * The quickest way in: open a store, migrate it, and get a client (and, given a registry, a running
 * worker) for one task hub.
 */
import type { Backend } from './backend/backend.js';
import { openBackend, type OpenBackendOptions } from './backend/open.js';
import type { Registry } from './authoring/registry.js';
import { TaskHubClient } from './client/client.js';
import { Worker, type WorkerOptions } from './runtime/worker.js';
import { resolveConnectionString, resolveHubName } from './config.js';

export interface TaskHubOptions extends OpenBackendOptions {
  /** A connection string or an open backend. Default: TASKHUB_STORAGE, else `sqlite:./.taskhub/taskhub.db`. */
  storage?: string | Backend;
  /** Default: TASKHUB_HUB, else host.json, else `DurableFunctionsHub`. */
  hub?: string;
  /** The app's orchestrators and activities. Needed to run a worker and to refuse unknown names at start. */
  registry?: Registry;
  /** Worker settings, or false for a client only. A worker runs when a registry is given. */
  worker?: Omit<WorkerOptions, 'backend' | 'hub' | 'registry'> | false;
  maxPayloadBytes?: number;
}

export interface TaskHub {
  readonly backend: Backend;
  readonly client: TaskHubClient;
  readonly worker: Worker | undefined;
  /** Stops the worker (finishing work in hand) and closes the store if this call opened it. */
  close(): Promise<void>;
}

export async function createTaskHub(options: TaskHubOptions = {}): Promise<TaskHub> {
  const ownsBackend = typeof options.storage !== 'object';
  const backend =
    typeof options.storage === 'object' ? options.storage : await openBackend(options.storage ?? resolveConnectionString(), options);
  try {
    await backend.migrate();
    const hub = resolveHubName(options.hub);
    const client = new TaskHubClient({ backend, hub, registry: options.registry, maxPayloadBytes: options.maxPayloadBytes });
    const worker =
      options.registry && options.worker !== false
        ? new Worker({ maxPayloadBytes: options.maxPayloadBytes, ...(options.worker || {}), backend, hub, registry: options.registry })
        : undefined;
    worker?.start();
    return {
      backend,
      client,
      worker,
      async close() {
        await worker?.stop();
        if (ownsBackend) await backend.close();
      },
    };
  } catch (error) {
    if (ownsBackend) await backend.close();
    throw error;
  }
}
