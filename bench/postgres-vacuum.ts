/**
 * What autovacuum does on a default server, done once after seeding because this machine's server runs
 * with autovacuum off (`SHOW autovacuum`): statistics for the planner, and the visibility map that lets
 * counts and the histogram answer from their indexes alone. Returns the seconds it took.
 */
import pg from 'pg';

export async function vacuumAnalyze(storage: string): Promise<number> {
  const started = performance.now();
  const url = new URL(storage);
  const schema = url.searchParams.get('schema')!;
  url.search = '';
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const tables = ['instances', 'instance_tags', 'history', 'messages', 'activity_tasks'].map((table) => `${schema}.${table}`);
    await db.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
  } finally {
    await db.end();
  }
  return (performance.now() - started) / 1000;
}
