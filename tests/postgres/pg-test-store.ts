/**
 * A fresh PostgreSQL schema per test, backend objects on it with any options, and an admin connection to
 * look behind the backend (pg_stat_activity, the tables); the schema is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresBackend } from '../../src/backend/postgres/index.js';
import type { PostgresBackendOptions } from '../../src/backend/postgres/index.js';
import { TEST_PG_URL } from '../support/stores.js';

export interface PostgresTestContext {
  schema: string;
  /** Opens a backend object on the test's schema (not migrated). */
  open: (options?: Partial<PostgresBackendOptions>) => PostgresBackend;
  /** Opens and migrates. */
  openMigrated: (options?: Partial<PostgresBackendOptions>) => Promise<PostgresBackend>;
  admin: pg.Client;
}

export async function withPostgres(body: (context: PostgresTestContext) => Promise<void>): Promise<void> {
  const schema = `taskhub_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  const opened: PostgresBackend[] = [];
  const open = (options: Partial<PostgresBackendOptions> = {}) => {
    const backend = new PostgresBackend({ connectionString: TEST_PG_URL, schema, ...options });
    opened.push(backend);
    return backend;
  };
  try {
    await body({
      schema,
      open,
      openMigrated: async (options) => {
        const backend = open(options);
        await backend.migrate();
        return backend;
      },
      admin,
    });
  } finally {
    await Promise.allSettled(opened.map((backend) => backend.close()));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

/** Waits for `condition`, polling; fails after `timeoutMs` (a bound for a hung test, not a speed claim). */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
