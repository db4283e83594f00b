/**
 * The workloads of bench/run.ts on DBOS Transact, in one process (client + executor), against the local
 * PostgreSQL in a system database of its own that is created before and dropped after the run.
 *   node bench/peers/dbos.mjs [--throughput N] [--latency N] [--fanouts N] [--in-flight N] [--json FILE]
 * TASKHUB_TEST_PG names the server as for bench/run.ts (default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { ownPeakRssMegabytes, parseCounts, report, runWorkloads } from './workloads.mjs';

// DBOS queues a SET statement on each new pool connection ahead of its first query, by design; pg 8.2x
// prints a deprecation warning for that into the middle of the table.
process.noDeprecation = true;

const { counts, json } = parseCounts();
const serverUrl = process.env.TASKHUB_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = `taskhub_bench_dbos_${randomBytes(4).toString('hex')}`;

const greet = async (city) => `Hello ${city}`;
const identity = async (i) => i;

const helloSequence = DBOS.registerWorkflow(
  async (cities) => {
    const results = [];
    for (const city of cities) results.push(await DBOS.runStep(() => greet(city), { name: 'greet' }));
    return results;
  },
  { name: 'BenchHelloSequence' },
);

// DBOS numbers a step when it is called, before any await, so steps started together replay in order.
const fanOut = DBOS.registerWorkflow(
  async (n) => {
    const values = await Promise.all(Array.from({ length: n }, (_, i) => DBOS.runStep(() => identity(i + 1), { name: 'identity' })));
    return values.reduce((a, b) => a + b, 0);
  },
  { name: 'BenchFanOut' },
);

const engine = {
  startHello: (cities) => DBOS.startWorkflow(helloSequence)(cities),
  startFanOut: (n) => DBOS.startWorkflow(fanOut)(n),
  result: (handle) => handle.getResult(),
};

async function main() {
  await createDatabase();
  // A time limit or Ctrl-C still stops DBOS and drops the database.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void DBOS.shutdown()
        .catch(() => undefined)
        .then(() => dropDatabase({ afterConnectionsClose: true }))
        .finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
  try {
    DBOS.setConfig({ name: 'taskhub-bench', systemDatabaseUrl: databaseUrl(database), logLevel: 'warn' });
    await DBOS.launch();
    try {
      const figures = await runWorkloads(engine, counts);
      report(
        {
          engine: `DBOS Transact ${dbosVersion()}`,
          transport: 'in process',
          detail: 'local PostgreSQL, defaults',
          ...figures,
          peakRss: [{ process: 'client + executor', megabytes: ownPeakRssMegabytes() }],
        },
        json,
      );
    } finally {
      await DBOS.shutdown();
    }
  } finally {
    await dropDatabase({ afterConnectionsClose: true });
  }
}

/**
 * DBOS.shutdown() resolves while its pool's connections are still closing; ending them with FORCE makes DBOS
 * log an error for each, so a normal end waits (up to 5 s) for them to go first.
 */
async function dropDatabase({ afterConnectionsClose = false } = {}) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 5_000;
    while (afterConnectionsClose && Date.now() < deadline) {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database]);
      if (rows[0].n === 0) break;
      await sleep(50);
    }
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function databaseUrl(name) {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createDatabase() {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}

function dbosVersion() {
  const packageJson = new URL('./node_modules/@dbos-inc/dbos-sdk/package.json', import.meta.url);
  return JSON.parse(readFileSync(packageJson, 'utf8')).version;
}

await main();
