/**
 * The flags every store command takes (`--connection-string-setting`, `--task-hub-name`) and opening a
 * client on them. The CLI works on the store directly; a running worker does the work.
 */
import type { Command } from 'commander';
import { TaskHubClient } from '../client/client.js';
import { DEFAULT_CONNECTION_STRING, DEFAULT_HUB_NAME, DEFAULT_STORAGE_SETTING, resolveConnectionString, resolveHubName } from '../config.js';
import { openStore, type StoreAccess } from '../open-store.js';
import type { CliIo } from './io.js';

export interface StoreFlags {
  connectionStringSetting?: string;
  taskHubName?: string;
}

export interface ResolvedStore {
  connectionString: string;
  hub: string;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option(
      '--connection-string-setting <name>',
      `environment variable holding the storage connection string (default ${DEFAULT_STORAGE_SETTING}; when that is unset, ${DEFAULT_CONNECTION_STRING})`,
    )
    .option('--task-hub-name <name>', `task hub (default TASKHUB_HUB, else host.json extensions.durableTask.hubName, else ${DEFAULT_HUB_NAME})`);
}

export function resolveStore(io: CliIo, flags: StoreFlags): ResolvedStore {
  return {
    connectionString: resolveConnectionString(flags.connectionStringSetting, io.env),
    hub: resolveHubName(flags.taskHubName, { env: io.env, directory: io.cwd }),
  };
}

/**
 * Opens the store, runs `use`, and closes the store. A command that writes creates the schema on first
 * use; one that only reads uses the store as it is and never creates one (a mistyped path or schema
 * name is then an error, not a new empty store).
 */
export async function withClient<T>(io: CliIo, flags: StoreFlags, use: (client: TaskHubClient) => Promise<T>, access: StoreAccess = 'write'): Promise<T> {
  const { connectionString, hub } = resolveStore(io, flags);
  const backend = await openStore(connectionString, access);
  try {
    return await use(new TaskHubClient({ backend, hub }));
  } finally {
    await backend.close();
  }
}
