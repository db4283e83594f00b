/**
 * GET latency while another process holds the SQLite file's write lock: a server with a
 * worker on a fresh file, a second process holding `BEGIN IMMEDIATE` for --hold-ms, a start request sent
 * as the lock is taken, and GETs of one instance back to back meanwhile. Prints the GETs' median and
 * slowest time and when the start was answered, counted from the lock's release.
 *   node dist/bench/sqlite-write-lock.js [--hold-ms 3000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registry } from '../examples/demo-app.js';
import { createHttpServer } from '../src/http/server.js';
import { createTaskHub, silentLogger } from '../src/index.js';

const { values: args } = parseArgs({ options: { 'hold-ms': { type: 'string', default: '3000' } } });
const holdMs = Number(args['hold-ms']);
const BASE = '/runtime/webhooks/durabletask';
const LOCKER = `
import Database from 'better-sqlite3';
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); }, Number(process.argv[2]));
`;

const directory = mkdtempSync(join(tmpdir(), 'taskhub-bench-lock-'));
const file = join(directory, 'store.db');
const taskHub = await createTaskHub({ storage: `sqlite:${file}`, hub: 'Bench', registry, worker: { logger: silentLogger } });
const app = createHttpServer({ logger: silentLogger, backend: taskHub.backend, hub: 'Bench', registry, connectionString: `sqlite:${file}` });
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
try {
  const id = await taskHub.client.startNew('HelloWorld', { input: 'bench' });
  await taskHub.client.waitForCompletion(id, { retryIntervalInMilliseconds: 10 });

  const locker = spawn(process.execPath, ['--input-type=module', '-e', LOCKER, file, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let releasedAt: number | undefined;
  await new Promise<void>((resolve) => {
    locker.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
      if (chunk.toString().includes('released')) releasedAt = performance.now();
    });
  });
  const lockedAt = performance.now();
  let startAnsweredAt: number | undefined;
  const start = fetch(`${url}${BASE}/orchestrators/HelloWorld`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"x"' }).then(async (answer) => {
    startAnsweredAt = performance.now();
    return answer.status;
  });
  const latencies: number[] = [];
  while (releasedAt === undefined && performance.now() - lockedAt < holdMs) {
    const sent = performance.now();
    const answer = await fetch(`${url}${BASE}/instances/${id}`);
    await answer.text();
    if (releasedAt === undefined) latencies.push(performance.now() - sent);
  }
  const status = await start;
  if (locker.exitCode === null) await new Promise((resolve) => locker.on('exit', resolve));
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)] ?? NaN;
  const slowest = latencies.at(-1) ?? NaN;
  console.log(`lock held ${holdMs} ms: ${latencies.length} GETs answered while held, median ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms;`
    + ` the start answered ${status} ${((startAnsweredAt ?? NaN) - (releasedAt ?? NaN)).toFixed(0)} ms after the release`);
} finally {
  await app.close();
  await taskHub.close();
  rmSync(directory, { recursive: true, force: true });
}
