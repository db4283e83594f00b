/** The PostgreSQL backend's public surface. */
export { PostgresBackend } from './postgres-backend.js';
export type { PostgresBackendOptions } from './options.js';
