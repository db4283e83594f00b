/**
 * The stores every integration test runs against, one per kind in the registry (src/backend/store-kinds.ts):
 * a fresh SQLite file in a temp dir, and a fresh schema in PostgreSQL (TASKHUB_TEST_PG, default the local
 * server). TASKHUB_TEST_STORES=sqlite (or postgres) narrows the matrix. The HTTP and CLI suites run on one store per process, TASKHUB_TEST_STORE
 * (scripts/run-tests.js runs them once per store).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openBackend } from '../../src/backend/open.js';
import type { Backend } from '../../src/backend/backend.js';
import { STORE_KIND_NAMES, type StoreKindName } from '../../src/backend/store-kinds.js';

export type StoreKind = StoreKindName;

export const TEST_PG_URL = process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function storesUnderTest(): StoreKind[] {
  const wanted = process.env.TASKHUB_TEST_STORES?.split(',').map((s) => s.trim());
  return STORE_KIND_NAMES.filter((kind) => wanted === undefined || wanted.includes(kind));
}

/** The store of the suites that run on one store per process: TASKHUB_TEST_STORE, else the first under test. */
export function singleStoreUnderTest(): StoreKind {
  const named = STORE_KIND_NAMES.find((kind) => kind === process.env.TASKHUB_TEST_STORE);
  if (named !== undefined) return named;
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
  /** Whether anything of the store exists yet (its file, its schema). */
  exists(): Promise<boolean>;
  /** Removes the store's file or schema. */
  destroy(): Promise<void>;
}

/** How to make a fresh store of each kind: one entry per kind in the registry (tsc asks for a new kind's). */
const TEST_STORES: Record<StoreKind, () => TestStore> = {
  sqlite() {
    const directory = mkdtempSync(join(tmpdir(), 'taskhub-test-'));
    const connectionString = `sqlite:${join(directory, 'store.db')}`;
    return {
      kind: 'sqlite',
      connectionString,
      storage: connectionString,
      schema: undefined,
      open: async () => migrated(await openBackend(connectionString)),
      exists: async () => existsSync(connectionString.slice('sqlite:'.length)),
      destroy: async () => rmSync(directory, { recursive: true, force: true }),
    };
  },
  postgres() {
    const schema = `taskhub_test_${randomBytes(6).toString('hex')}`;
    const storage = new URL(TEST_PG_URL);
    storage.searchParams.set('schema', schema);
    return {
      kind: 'postgres',
      connectionString: TEST_PG_URL,
      storage: storage.toString(),
      schema,
      open: async () => migrated(await openBackend(TEST_PG_URL, { postgresSchema: schema })),
      exists: () => withPgClient(async (client) => (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1),
      destroy: () => withPgClient(async (client) => void (await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))),
    };
  },
};

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  return TEST_STORES[kind]();
}

/** Whether anything of the store exists yet: its SQLite file, or its PostgreSQL schema. */
export function storeExists(store: TestStore): Promise<boolean> {
  return store.exists();
}

async function withPgClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await work(client);
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
