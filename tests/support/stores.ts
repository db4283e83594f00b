/**
 * The stores every integration test runs against: a fresh SQLite file in a temp dir, and a fresh schema
 * in PostgreSQL (TASKHUB_TEST_PG, default the local server). TASKHUB_TEST_STORES=sqlite (or postgres)
 * narrows the matrix. The HTTP and CLI suites run on one store per process, TASKHUB_TEST_STORE
 * (scripts/run-tests.js runs them once per store).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openBackend } from '../../src/backend/open.js';
import type { Backend } from '../../src/backend/backend.js';

export type StoreKind = 'sqlite' | 'postgres';

export const TEST_PG_URL = process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function storesUnderTest(): StoreKind[] {
  const wanted = (process.env.TASKHUB_TEST_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  return (['sqlite', 'postgres'] as const).filter((kind) => wanted.includes(kind));
}

/** The store of the suites that run on one store per process: TASKHUB_TEST_STORE, else the first under test. */
export function singleStoreUnderTest(): StoreKind {
  const named = process.env.TASKHUB_TEST_STORE;
  if (named === 'sqlite' || named === 'postgres') return named;
  return storesUnderTest()[0] ?? 'sqlite';
}

export interface TestStore {
  kind: StoreKind;
  /** The database's connection string, for drivers (with `schema` for PostgreSQL). */
  connectionString: string;
  /** taskhub's connection string of the store (TASKHUB_STORAGE): for PostgreSQL, the URL naming the schema. */
  storage: string;
  /** PostgreSQL schema of this store (undefined for SQLite). */
  schema: string | undefined;
  /** Opens a new backend object on the store, migrated. */
  open(): Promise<Backend>;
  /** Removes the store's file or schema. */
  destroy(): Promise<void>;
}

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'taskhub-test-'));
    const connectionString = `sqlite:${join(directory, 'store.db')}`;
    return {
      kind,
      connectionString,
      storage: connectionString,
      schema: undefined,
      open: async () => migrated(await openBackend(connectionString)),
      destroy: async () => rmSync(directory, { recursive: true, force: true }),
    };
  }
  const schema = `taskhub_test_${randomBytes(6).toString('hex')}`;
  const storage = new URL(TEST_PG_URL);
  storage.searchParams.set('schema', schema);
  return {
    kind,
    connectionString: TEST_PG_URL,
    storage: storage.toString(),
    schema,
    open: async () => migrated(await openBackend(TEST_PG_URL, { postgresSchema: schema })),
    destroy: async () => {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Whether anything of the store exists yet: its SQLite file, or its PostgreSQL schema. */
export async function storeExists(store: TestStore): Promise<boolean> {
  if (store.kind === 'sqlite') return existsSync(store.connectionString.slice('sqlite:'.length));
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [store.schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

async function migrated(backend: Backend): Promise<Backend> {
  await backend.migrate();
  return backend;
}

export function randomHub(): string {
  return `hub_${randomBytes(5).toString('hex')}`;
}
