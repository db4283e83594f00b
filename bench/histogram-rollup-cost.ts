/**
 * What the histogram's rollup triggers cost a SQLite write (docs/adr/0032-histogram-rollup.md): the same
 * inserts and two status changes per instance, each in its own transaction, on an in-memory store with the
 * triggers, with them as migration 5 made them (before counters at zero were deleted, docs/adr/0034) and
 * with them dropped, alternating. In memory, so the figure is the triggers' CPU, not fsyncs.
 *   node dist/bench/histogram-rollup-cost.js [--instances 20000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../src/backend/sqlite/migrations/index.js';

const { values: args } = parseArgs({ options: { instances: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const INSTANCES = Number(args.instances);

/** Microseconds per write (an insert or a status change). */
type Triggers = 'none' | 'keeping zero counters' | 'current';

function microsecondsPerWrite(triggers: Triggers): number {
  const db = new Database(':memory:');
  const upTo = triggers === 'keeping zero counters' ? SQLITE_MIGRATIONS.findIndex((m) => m.name === 'histogram_drops_empty_minutes') : SQLITE_MIGRATIONS.length;
  for (const migration of SQLITE_MIGRATIONS.slice(0, upTo)) db.exec(migration.sql);
  if (triggers === 'none') for (const trigger of ['insert', 'update', 'delete']) db.exec(`DROP TRIGGER instance_histogram_${trigger}`);
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
  const [none, keeping, current] = (['none', 'keeping zero counters', 'current'] as const).map(microsecondsPerWrite);
  console.log(
    `round ${round + 1}: ${none!.toFixed(1)} µs per write without the rollup triggers, ${keeping!.toFixed(1)} µs with those of migration 5, ` +
      `${current!.toFixed(1)} µs with today's (a counter at zero deleted)`,
  );
}
