/**
 * Released with the server functions' SQL inline. That SQL now lives in ../sql/*.sql as repeatable
 * definitions (ADR 0008), installed after the migrations; this migration applies nothing and keeps the
 * checksum it was released with, so stores that applied it still check against it.
 */
import type { Migration } from '../../migrate.js';

export const serverFunctions: Migration = {
  version: 2,
  name: 'server_functions',
  sql: '',
  releasedChecksum: '3d0dec7bf835d615ed77be39792ea475e47d1ce4bed393c1c6a22158f5de0dff',
};
