/** Opening a store from its connection string: SQLite paths, PostgreSQL's own parameters, and stores used as they are. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openBackend } from '../../src/backend/open.js';
import { SqliteBackend } from '../../src/backend/sqlite/index.js';
import Database from 'better-sqlite3';
import { InvalidArgumentError, StoreNotCreatedError } from '../../src/errors.js';
import { TEST_PG_URL, createTestStore, storeExists, storesUnderTest, type TestStore } from '../support/stores.js';
import { startRequest } from '../../src/testing/conformance/fixtures.js';

describe('openBackend: SQLite', () => {
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-open-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('opens a new file in an existing directory', async () => {
    const backend = await openBackend(`sqlite:${join(directory, 'new.db')}`);
    await backend.migrate();
    await backend.close();
  });

  it('refuses a file in a directory that does not exist, rather than make an empty store', async () => {
    const missing = join(directory, 'no-such-dir', 'x.db');
    await assert.rejects(openBackend(`sqlite:${missing}`), (error: Error) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.match(error.message, /directory of the SQLite file .* does not exist/);
      return true;
    });
  });

  it('passes the page cache options to the SQLite connection, and refuses a bad one with its name', async () => {
    const backend = await openBackend(`sqlite:${join(directory, 'cache.db')}`, { sqliteCacheSizeKib: 8192, sqliteMmapSizeBytes: 1 << 20 });
    try {
      assert.ok(backend instanceof SqliteBackend);
      assert.deepEqual(backend.pageCache(), { cacheSizeKib: 8192, mmapSizeBytes: 1 << 20 });
    } finally {
      await backend.close();
    }
    await assert.rejects(
      openBackend(`sqlite:${join(directory, 'bad-cache.db')}`, { sqliteCacheSizeKib: -1 }),
      (error: Error) => error instanceof InvalidArgumentError && /page cache size .* not -1/.test(error.message),
    );
  });

  it('refuses an empty path and an unknown scheme, naming the accepted forms', async () => {
    await assert.rejects(openBackend('sqlite:'), /needs a file path/);
    await assert.rejects(openBackend('mysql://root:secret@db/x'), /unsupported storage connection string 'mysql:\/\/root:\*\*\*@db\/x': use 'sqlite:<path>'/);
  });
});

describe('openBackend: PostgreSQL parameters', { skip: !storesUnderTest().includes('postgres') }, () => {
  it('takes schema and pool_size from the URL, and leaves the driver its own parameters', async () => {
    const schema = `taskhub_open_${process.pid}`;
    const url = new URL(TEST_PG_URL);
    url.searchParams.set('schema', schema);
    url.searchParams.set('pool_size', '3');
    url.searchParams.set('statement_timeout', '4321');
    const backend = await openBackend(url.toString());
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    try {
      await backend.migrate();
      assert.deepEqual(await backend.createInstance('hub', startRequest('in-url-schema')), { created: true });
      const tables = await admin.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema]);
      assert.ok(tables.rows[0].n > 0, 'the tables live in the schema the URL names');
      assert.match(backend.description, new RegExp(`schema ${schema}`));
      // Many calls at once: never more pooled sessions than pool_size, each with the URL's statement_timeout.
      await Promise.all(Array.from({ length: 20 }, (_, i) => backend.getInstance('hub', `absent-${i}`)));
      const sessions = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
        [`taskhub ${schema} pid ${process.pid}`],
      );
      assert.ok(sessions.rows[0]!.n >= 1 && sessions.rows[0]!.n <= 3, `pool of at most 3 (saw ${sessions.rows[0]!.n})`);
      const timeout = await pooledSetting(backend, 'statement_timeout');
      assert.equal(timeout, '4321ms');
    } finally {
      await backend.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('refuses a pool_size that is not a whole number from 1 to 1000', async () => {
    for (const size of ['0', 'ten', '1.5', '5000']) {
      const url = new URL(TEST_PG_URL);
      url.searchParams.set('pool_size', size);
      await assert.rejects(openBackend(url.toString()), (error: Error) => error instanceof InvalidArgumentError && /pool_size/.test(error.message));
    }
  });
});

/** A setting as the backend's pooled sessions see it, read through the backend's own pool. */
async function pooledSetting(backend: unknown, name: string): Promise<string> {
  const pool = (backend as { store: { pool: pg.Pool } }).store.pool;
  const result = await pool.query<{ value: string }>('SELECT current_setting($1) AS value', [name]);
  return result.rows[0]!.value;
}

describe('openBackend with existingOnly: a store is used as it is, never created or migrated', () => {
  for (const kind of storesUnderTest()) {
    it(`${kind}: refuses a store nothing created (and creates nothing), or one missing a migration; opens a current one`, async () => {
      const store = await createTestStore(kind);
      try {
        const refusal = /has no taskhub tables of this version yet/;
        await assert.rejects(openBackend(store.storage, { existingOnly: true }), (error: Error) => error instanceof StoreNotCreatedError && refusal.test(error.message));
        assert.equal(await storeExists(store), false);

        const backend = await store.open();
        assert.equal(await backend.isMigrated(), true);
        await backend.close();
        const existing = await openBackend(store.storage, { existingOnly: true });
        assert.equal(await existing.isMigrated(), true);
        await existing.close();

        await runSql(store, `DELETE FROM ${store.schema ? `${store.schema}.` : ''}taskhub_migrations WHERE version = (SELECT max(version) FROM ${store.schema ? `${store.schema}.` : ''}taskhub_migrations)`);
        await assert.rejects(openBackend(store.storage, { existingOnly: true }), refusal);
      } finally {
        await store.destroy();
      }
    });
  }
});

/** One statement on the store, outside taskhub. */
async function runSql(store: TestStore, sql: string): Promise<void> {
  if (store.kind === 'sqlite') {
    const db = new Database(store.connectionString.slice('sqlite:'.length));
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
