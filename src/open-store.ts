/**
 * Opening a store for a command or a server. A caller that writes creates or upgrades the schema on first
 * use; one that only reads uses the store as it is and never creates one (a mistyped path or schema name
 * is then an error, not a new empty store). A store that cannot be reached or opened is named in the
 * error (without its password), so the message says which.
 */
import type { Backend } from './backend/backend.js';
import { openBackend, type OpenBackendOptions } from './backend/open.js';
import { TaskHubError } from './errors.js';
import { redactConnectionString } from './secrets.js';

export type StoreAccess = 'read' | 'write';

export async function openStore(connectionString: string, access: StoreAccess, options: OpenBackendOptions = {}): Promise<Backend> {
  try {
    if (access === 'read') return await openBackend(connectionString, { ...options, existingOnly: true });
    const backend = await openBackend(connectionString, options);
    try {
      await backend.migrate();
    } catch (error) {
      await backend.close();
      throw error;
    }
    return backend;
  } catch (error) {
    if (error instanceof TaskHubError) throw error;
    throw new Error(`cannot use the store ${redactConnectionString(connectionString)}: ${(error as Error).message}`, { cause: error });
  }
}
