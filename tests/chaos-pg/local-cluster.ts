/**
 * Stopping and starting the local PostgreSQL cluster that serves the tests' database (Debian's
 * pg_ctlcluster; the cluster is the one listening on TASKHUB_TEST_PG's port), for the restart chaos test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { TEST_PG_URL } from '../support/stores.js';

const run = promisify(execFile);
const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '[::1]', ''];

interface Cluster {
  version: string;
  name: string;
}

/** The local cluster on TASKHUB_TEST_PG's port, or why there is none to restart. */
function findCluster(): Cluster | string {
  const url = new URL(TEST_PG_URL);
  if (!LOCAL_HOSTS.includes(url.hostname)) return `TASKHUB_TEST_PG points at ${url.hostname}, not a local cluster`;
  const port = url.port || '5432';
  let listing: string;
  try {
    listing = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  } catch {
    return 'pg_lsclusters is not available to find the local cluster';
  }
  for (const line of listing.split('\n')) {
    const [version, name, clusterPort] = line.trim().split(/\s+/);
    if (version && name && clusterPort === port) return { version, name };
  }
  return `no local cluster listens on port ${port}`;
}

const found = findCluster();

/** Why the tests' database cannot be restarted from here, or undefined when it can. */
export function whyNotControllable(): string | undefined {
  return typeof found === 'string' ? found : undefined;
}

async function pgCtlCluster(...args: string[]): Promise<void> {
  if (typeof found === 'string') throw new Error(found);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', found.version, found.name, ...args]);
}

/** Fast shutdown: the server ends every session, rolling back their open transactions. */
export async function stopCluster(): Promise<void> {
  await pgCtlCluster('stop', '-m', 'fast');
}

/** Starts the cluster and resolves once it accepts connections. */
export async function startCluster(): Promise<void> {
  await pgCtlCluster('start');
  await waitUntilAccepting(30_000);
}

export async function isAccepting(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntilAccepting(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isAccepting())) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms of starting`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Leaves the cluster running whatever happened before (for finally blocks). */
export async function ensureClusterRunning(): Promise<void> {
  if (await isAccepting()) return;
  await pgCtlCluster('start').catch(() => undefined);
  await waitUntilAccepting(30_000);
}
