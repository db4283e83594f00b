/**
 * The checksums of the installed server functions (../sql/index.ts): one row per .sql file, so that a
 * file whose text changed is installed again and the others are left alone. Released: never edit.
 */
import type { Migration } from '../../migrate.js';

export const definitions: Migration = {
  version: 3,
  name: 'definitions',
  sql: `CREATE TABLE taskhub_definitions (
  name text PRIMARY KEY,
  checksum text NOT NULL
)`,
};
