/** A fresh store for one benchmark run: a SQLite file in a temp dir, or a PostgreSQL schema of its own. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTaskHub, type TaskHub, type TaskHubOptions } from '../src/index.js';

export interface BenchStore {
  taskHub: TaskHub;
  label: string;
  /** Closes nothing: removes the file or drops the schema (close the task hub first). */
  cleanup: () => Promise<void>;
}

export async function openBenchStore(
  store: string,
  synchronous: 'full' | 'normal',
  options: Pick<TaskHubOptions, 'hub' | 'registry' | 'worker'>,
): Promise<BenchStore> {
  if (store === 'postgres') {
    const url = process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
    const schema = `taskhub_bench_${randomBytes(4).toString('hex')}`;
    const taskHub = await createTaskHub({ ...options, storage: url, postgresSchema: schema });
    return {
      taskHub,
      label: 'PostgreSQL (local, defaults)',
      cleanup: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  }
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-bench-'));
  const taskHub = await createTaskHub({ ...options, storage: `sqlite:${join(directory, 'bench.db')}`, sqliteSynchronous: synchronous });
  return {
    taskHub,
    label: `SQLite (WAL, synchronous=${synchronous})`,
    cleanup: async () => rmSync(directory, { recursive: true, force: true }),
  };
}
