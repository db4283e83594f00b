/** The SQLite store kind: `sqlite:<path>`, the embedded default. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { storeNotCreated, type OpenBackendOptions } from '../open-options.js';

export const DEFAULT_CONNECTION_STRING = 'sqlite:./.taskhub/taskhub.db';

export const sqliteStore = {
  name: 'sqlite',
  form: 'sqlite:<path>',
  accepts: (connectionString: string) => connectionString.startsWith('sqlite:'),
  async open(connectionString: string, options: OpenBackendOptions) {
    const path = sqlitePath(connectionString, options.existingOnly ?? false);
    const { SqliteBackend } = await import('./index.js');
    return new SqliteBackend({
      path,
      synchronous: options.sqliteSynchronous,
      fileMustExist: options.existingOnly,
      cacheSizeKib: options.sqliteCacheSizeKib,
      mmapSizeBytes: options.sqliteMmapSizeBytes,
    });
  },
} as const;

/** The file of a `sqlite:` string. The default file's directory is made on first use; any other must
 *  exist, so that a mistyped path is an error rather than a new, empty store. */
function sqlitePath(connectionString: string, existingOnly: boolean): string {
  const path = connectionString.slice('sqlite:'.length);
  if (path === '') throw new InvalidArgumentError(`the SQLite connection string needs a file path, e.g. '${DEFAULT_CONNECTION_STRING}'`);
  const file = resolve(path);
  if (existingOnly && !existsSync(file)) throw storeNotCreated(`sqlite:${file}`);
  const directory = dirname(file);
  if (file !== resolve(DEFAULT_CONNECTION_STRING.slice('sqlite:'.length)) && !existsSync(directory)) {
    throw new InvalidArgumentError(`the directory of the SQLite file '${path}' does not exist (${directory}): create it, or correct the path`);
  }
  return path;
}
