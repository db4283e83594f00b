/**
 * Where the storage connection string and the task hub name come from (S-HUB-1, S-STORE-1), shared by
 * the server, the CLI and user code so every surface resolves them the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from './errors.js';
import { validateHubName } from './client/validation.js';
import { DEFAULT_CONNECTION_STRING } from './backend/sqlite/kind.js';

export { DEFAULT_CONNECTION_STRING };

export const DEFAULT_STORAGE_SETTING = 'TASKHUB_STORAGE';
export const DEFAULT_HUB_NAME = 'DurableFunctionsHub';

/**
 * The connection string held by the environment variable `settingName` (default TASKHUB_STORAGE). When the
 * default variable is unset, the embedded SQLite file; when a variable named explicitly is unset, an error.
 */
export function resolveConnectionString(settingName?: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = settingName ?? DEFAULT_STORAGE_SETTING;
  const value = env[name]?.trim();
  if (value) return value;
  if (settingName !== undefined && settingName !== DEFAULT_STORAGE_SETTING) {
    throw new InvalidArgumentError(`the connection string setting '${settingName}' is not set: set the environment variable ${settingName}`);
  }
  return DEFAULT_CONNECTION_STRING;
}

/** The explicit name, else TASKHUB_HUB, else host.json's extensions.durableTask.hubName, else DurableFunctionsHub. */
export function resolveHubName(explicit?: string, options: { env?: NodeJS.ProcessEnv; directory?: string } = {}): string {
  const env = options.env ?? process.env;
  const fromHostJson = readHostJsonHubName(options.directory ?? process.cwd());
  return validateHubName(explicit ?? (env.TASKHUB_HUB?.trim() || undefined) ?? fromHostJson ?? DEFAULT_HUB_NAME);
}

function readHostJsonHubName(directory: string): string | undefined {
  const path = join(directory, 'host.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const hubName = (parsed as { extensions?: { durableTask?: { hubName?: unknown } } } | null)?.extensions?.durableTask?.hubName;
  if (hubName === undefined) return undefined;
  if (typeof hubName !== 'string') throw new InvalidArgumentError(`${path}: extensions.durableTask.hubName must be a string`);
  return hubName;
}
