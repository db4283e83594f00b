/** A fresh store for one benchmark run: a SQLite file in a temp dir, or a PostgreSQL schema of its own. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchStore {
  /** taskhub's connection string of the store (for PostgreSQL, the URL naming the schema). */
  storage: string;
  label: string;
  /** SQLite's setting (createTaskHub's `sqliteSynchronous`; FULL is the default). */
  synchronous?: 'full' | 'normal';
  /** Closes nothing: removes the file or drops the schema (close what uses it first). */
  cleanup: () => Promise<void>;
}

export const BENCH_PG_URL = process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function openBenchStore(store: string, synchronous: 'full' | 'normal' = 'full'): BenchStore {
  if (store === 'postgres') {
    const schema = `taskhub_bench_${randomBytes(4).toString('hex')}`;
    const url = new URL(BENCH_PG_URL);
    url.searchParams.set('schema', schema);
    return {
      storage: url.toString(),
      label: 'PostgreSQL',
      cleanup: async () => {
        const client = new pg.Client({ connectionString: BENCH_PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  }
  if (store !== 'sqlite') throw new Error(`--store is sqlite or postgres, not ${store}`);
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-bench-'));
  return {
    storage: `sqlite:${join(directory, 'bench.db')}`,
    label: synchronous === 'normal' ? 'SQLite, synchronous=NORMAL' : 'SQLite',
    synchronous,
    cleanup: async () => rmSync(directory, { recursive: true, force: true }),
  };
}
