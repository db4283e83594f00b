/**
 * Opens a backend from a connection string, of any kind in the registry (store-kinds.ts): `sqlite:<path>`
 * (the embedded default) or `postgres://…` / `postgresql://…`. A store's driver is loaded only when asked for.
 */
import { InvalidArgumentError } from '../errors.js';
import { redactConnectionString } from '../secrets.js';
import type { Backend } from './backend.js';
import { storeNotCreated, type OpenBackendOptions } from './open-options.js';
import { connectionStringForms, storeKindOf } from './store-kinds.js';

export type { OpenBackendOptions };

export async function openBackend(connectionString: string, options: OpenBackendOptions = {}): Promise<Backend> {
  const text = connectionString.trim();
  const kind = storeKindOf(text);
  if (kind === undefined) {
    throw new InvalidArgumentError(`unsupported storage connection string '${redactConnectionString(text)}': use ${connectionStringForms()}`);
  }
  const backend = await kind.open(text, options);
  if (!options.existingOnly) return backend;
  let migrated: boolean;
  try {
    migrated = await backend.isMigrated();
  } catch (error) {
    await backend.close();
    throw error;
  }
  if (!migrated) {
    await backend.close();
    throw storeNotCreated(backend.description);
  }
  return backend;
}
