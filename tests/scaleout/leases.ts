/**
 * The leases a worker holds in a PostgreSQL store, read straight from its tables: after a kill -9 they are
 * the work the dead worker left behind, which the others may take only once the leases expire.
 */
import pg from 'pg';
import type { TestStore } from '../support/stores.js';
import { applicationName } from '../../src/backend/postgres/options.js';
import { eventually } from '../support/polling.js';

export interface HeldLeases {
  /** Instances whose step the worker had claimed and not committed, with the lease's end (store clock, ms). */
  instances: { instanceId: string; expiresAt: number }[];
  /** Activity tasks it was running: the idempotency key's parts, the attempt it ran, the lease's end. */
  tasks: { instanceId: string; taskId: number; attempt: number; expiresAt: number }[];
  /** The store's clock minus this process's clock, to compare lease ends with worker-side times. */
  storeClockOffsetMs: number;
}

const NOW_MS = `floor(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The leases `workerId` holds that were live at `liveAt` (store clock, ms; default now). */
export async function leasesHeldBy(store: TestStore, hub: string, workerId: string, liveAt?: number): Promise<HeldLeases> {
  const schema = `"${store.schema ?? 'taskhub'}"`;
  const client = new pg.Client({ connectionString: store.connectionString });
  await client.connect();
  try {
    const before = Date.now();
    const clock = await client.query<{ now: string }>(`SELECT ${NOW_MS}::text AS now`);
    const storeClockOffsetMs = Number(clock.rows[0]!.now) - (before + Date.now()) / 2;
    const instances = await client.query<{ instance_id: string; lock_expires_at: string }>(
      `SELECT instance_id, lock_expires_at::text FROM ${schema}.instances
       WHERE hub = $1 AND locked_by = $2 AND lock_expires_at > coalesce($3, ${NOW_MS})`,
      [hub, workerId, liveAt ?? null],
    );
    const tasks = await client.query<{ instance_id: string; task_id: number; attempt: number; lock_expires_at: string }>(
      `SELECT instance_id, task_id, attempt, lock_expires_at::text FROM ${schema}.activity_tasks
       WHERE hub = $1 AND locked_by = $2 AND lock_expires_at > coalesce($3, ${NOW_MS})`,
      [hub, workerId, liveAt ?? null],
    );
    return {
      instances: instances.rows.map((row) => ({ instanceId: row.instance_id, expiresAt: Number(row.lock_expires_at) })),
      tasks: tasks.rows.map((row) => ({
        instanceId: row.instance_id,
        taskId: row.task_id,
        attempt: row.attempt,
        expiresAt: Number(row.lock_expires_at),
      })),
      storeClockOffsetMs,
    };
  } finally {
    await client.end();
  }
}

/**
 * Waits until the server has closed every session of a killed process. A statement the process sent just
 * before it died (a step's commit, say) still runs to its end; only when its sessions are gone do the
 * tables show what the dead process left behind.
 */
export async function storeNow(store: TestStore): Promise<number> {
  const client = new pg.Client({ connectionString: store.connectionString });
  await client.connect();
  try {
    const clock = await client.query<{ now: string }>(`SELECT ${NOW_MS}::text AS now`);
    return Number(clock.rows[0]!.now);
  } finally {
    await client.end();
  }
}

export async function waitUntilSessionsClosed(store: TestStore, pid: number): Promise<void> {
  const schema = store.schema ?? 'taskhub';
  const names = [applicationName(schema, 'pool', pid), applicationName(schema, 'listen', pid)];
  const client = new pg.Client({ connectionString: store.connectionString });
  await client.connect();
  try {
    await eventually(`the sessions of process ${pid} to close`, async () => {
      const open = await client.query<{ count: string }>('SELECT count(*)::text AS count FROM pg_stat_activity WHERE application_name = ANY($1)', [names]);
      return open.rows[0]!.count === '0' ? true : undefined;
    }, 30_000);
  } finally {
    await client.end();
  }
}
