/**
 * Opening a store for a command or a server: open it and create or upgrade its schema. A store that
 * cannot be reached or opened is named in the error (without its password), so the message says which.
 */
import type { Backend } from './backend/backend.js';
import { openBackend, redact, type OpenBackendOptions } from './backend/open.js';
import { TaskHubError } from './errors.js';

export async function openMigratedStore(connectionString: string, options: OpenBackendOptions = {}): Promise<Backend> {
  try {
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
    throw new Error(`cannot use the store ${redact(connectionString)}: ${(error as Error).message}`, { cause: error });
  }
}
