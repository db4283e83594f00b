/**
 * Turns a request's `taskHub` and `connection` query parameters into a TaskHubClient. `taskHub` picks a
 * hub in the store; `connection=NAME` picks the store whose connection string the server's environment
 * variable NAME holds (as Durable Functions' `connection` names an app setting). The server's own store
 * answers when `connection` is absent, names the server's own setting, or is Durable Functions' default
 * `Storage` while no variable of that name is set; other stores are opened once, cached and closed with
 * the server. They are used as they are, never created or migrated: no request may make a store appear
 * (a page of another site could send one from a browser older than Sec-Fetch-Site); a worker creates it.
 */
import type { Backend } from '../backend/backend.js';
import { openBackend } from '../backend/open.js';
import { connectionStringForms, storeKindOf } from '../backend/store-kinds.js';
import type { Registry } from '../authoring/registry.js';
import { TaskHubClient } from '../client/client.js';
import { validateHubName } from '../client/validation.js';
import { InvalidArgumentError, StoreNotCreatedError } from '../errors.js';
import type { Logger } from '../runtime/logger.js';
import { HttpError } from './errors.js';
import type { HubQuery } from './schemas.js';

export interface ClientResolverOptions {
  /** The server's own store. */
  backend: Backend;
  /** Its connection string, so a setting that names the same store reuses it. */
  connectionString?: string;
  /** The setting name the server's own store answers to, echoed in management URLs. */
  connectionName: string;
  /** The default hub. */
  hub: string;
  registry?: Registry;
  maxPayloadBytes?: number;
  /** Written into management URLs as `code` (only with --embed-key-in-urls). */
  embeddedApiKey?: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** The `connection` value Durable Functions puts in its management URLs. */
const DURABLE_FUNCTIONS_CONNECTION = 'Storage';

export class ClientResolver {
  private readonly opened = new Map<string, Promise<Backend>>();
  /** The client of most requests (no `taskHub`, no `connection`), made once: a client holds only its settings. */
  private readonly defaultClient: TaskHubClient;

  constructor(private readonly options: ClientResolverOptions) {
    this.defaultClient = this.clientOf(options.backend, options.hub, options.connectionName);
  }

  async resolve(query: HubQuery): Promise<TaskHubClient> {
    const hub = query.taskHub === undefined || query.taskHub === '' ? this.options.hub : validateHubName(query.taskHub);
    const connectionName = query.connection || this.options.connectionName;
    if (hub === this.options.hub && connectionName === this.options.connectionName) return this.defaultClient;
    const backend = this.namesOwnStore(connectionName) ? this.options.backend : await this.backendFor(connectionName);
    return this.clientOf(backend, hub, connectionName);
  }

  /** Closes the stores this resolver opened (not the server's own). */
  async close(): Promise<void> {
    const outcomes = await Promise.allSettled(this.opened.values());
    this.opened.clear();
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') await outcome.value.close();
  }

  private clientOf(backend: Backend, hub: string, connectionName: string): TaskHubClient {
    return new TaskHubClient({
      backend,
      hub,
      registry: this.options.registry,
      maxPayloadBytes: this.options.maxPayloadBytes,
      connectionName,
      embeddedApiKey: this.options.embeddedApiKey,
    });
  }

  /**
   * The server's own setting name, or Durable Functions' default `Storage` (in URLs that existing clients
   * copied from its docs) unless the server's environment defines a variable of that name.
   */
  private namesOwnStore(connectionName: string): boolean {
    if (connectionName === this.options.connectionName) return true;
    return connectionName === DURABLE_FUNCTIONS_CONNECTION && !(this.options.env ?? process.env)[DURABLE_FUNCTIONS_CONNECTION]?.trim();
  }

  private async backendFor(settingName: string): Promise<Backend> {
    if (!SETTING_NAME.test(settingName)) {
      throw new InvalidArgumentError(`connection '${settingName.slice(0, 130)}' is not an environment variable name (letters, digits and '_')`);
    }
    const connectionString = (this.options.env ?? process.env)[settingName]?.trim();
    if (!connectionString) {
      throw new InvalidArgumentError(`the connection setting '${settingName}' is not set on the server: set the environment variable ${settingName}`);
    }
    // Never echo the variable's value: the caller chose which variable to read.
    if (storeKindOf(connectionString) === undefined) {
      throw new InvalidArgumentError(`the connection setting '${settingName}' does not hold a storage connection string (${connectionStringForms()})`);
    }
    if (connectionString === this.options.connectionString) return this.options.backend;
    let backend = this.opened.get(connectionString);
    if (!backend) {
      backend = this.open(settingName, connectionString);
      this.opened.set(connectionString, backend);
      backend.catch(() => this.opened.delete(connectionString));
    }
    return backend;
  }

  private async open(settingName: string, connectionString: string): Promise<Backend> {
    try {
      return await openBackend(connectionString, { existingOnly: true });
    } catch (error) {
      // The store's own description would show the caller a path or a host: the setting's name says enough.
      if (error instanceof StoreNotCreatedError) {
        throw new StoreNotCreatedError(
          `the storage of connection setting '${settingName}' has no taskhub tables of this version; the server never creates or upgrades a store named by connection: run a taskhub worker (taskhub serve) on it first`,
        );
      }
      this.options.logger.error(`cannot open the storage of connection setting '${settingName}': ${(error as Error).message}`);
      throw new HttpError(503, `the storage of connection setting '${settingName}' cannot be opened; the server log has the details`);
    }
  }
}
