/**
 * What the histogram's rollup triggers cost a SQLite write (docs/adr/0032-histogram-rollup.md): the same
 * inserts and two status changes per instance, each in its own transaction, on an in-memory store with the
 * triggers and with them dropped, alternating. In memory, so the figure is the triggers' CPU, not fsyncs.
 *   node dist/bench/histogram-rollup-cost.js [--instances 20000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../src/backend/sqlite/migrations/index.js';

const { values: args } = parseArgs({ options: { instances: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const INSTANCES = Number(args.instances);

/** Microseconds per write (an insert or a status change). */
function microsecondsPerWrite(withTriggers: boolean): number {
  const db = new Database(':memory:');
  for (const migration of SQLITE_MIGRATIONS) db.exec(migration.sql);
  if (!withTriggers) for (const trigger of ['insert', 'update', 'delete']) db.exec(`DROP TRIGGER instance_histogram_${trigger}`);
  const insert = db.prepare(`INSERT INTO instances (hub, instance_id, execution_id, name, status, created_at, last_updated_at)
    VALUES ('bench', ?, 'execution', 'Hello', 'Pending', ?, ?)`);
  const update = db.prepare(`UPDATE instances SET status = ?, last_updated_at = ? WHERE hub = 'bench' AND instance_id = ?`);
  const now = Date.now();
  const started = performance.now();
  for (let i = 0; i < INSTANCES; i++) db.transaction(() => insert.run(`i-${i}`, now + i, now + i))();
  for (const status of ['Running', 'Completed']) {
    for (let i = 0; i < INSTANCES; i++) db.transaction(() => update.run(status, now + i, `i-${i}`))();
  }
  const elapsed = performance.now() - started;
  db.close();
  return (elapsed * 1000) / (3 * INSTANCES);
}

for (let round = 0; round < Number(args.rounds); round++) {
  const without = microsecondsPerWrite(false);
  const withTriggers = microsecondsPerWrite(true);
  console.log(`round ${round + 1}: ${without.toFixed(1)} µs per write without the rollup triggers, ${withTriggers.toFixed(1)} µs with them`);
}
