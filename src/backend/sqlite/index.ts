export { SqliteBackend, openSqliteBackend, type SqliteDurability } from './sqlite-backend.js';
export type { SqliteBackendOptions } from './options.js';
