/**
 * The leases a worker holds in a PostgreSQL store, read straight from its tables: after a kill -9 they are
 * the work the dead worker left behind, which the others may take only once the leases expire.
 */
import type { ChildProcess } from 'node:child_process';
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

/** The leases `workerId` holds that are live now. */
export async function leasesHeldBy(store: TestStore, hub: string, workerId: string): Promise<HeldLeases> {
  const schema = `"${store.schema ?? 'taskhub'}"`;
  const client = new pg.Client({ connectionString: store.connectionString });
  await client.connect();
  try {
    const before = Date.now();
    const clock = await client.query<{ now: string }>(`SELECT ${NOW_MS}::text AS now`);
    const storeClockOffsetMs = Number(clock.rows[0]!.now) - (before + Date.now()) / 2;
    const instances = await client.query<{ instance_id: string; lock_expires_at: string }>(
      `SELECT instance_id, lock_expires_at::text FROM ${schema}.instances
       WHERE hub = $1 AND locked_by = $2 AND lock_expires_at > ${NOW_MS}`,
      [hub, workerId],
    );
    const tasks = await client.query<{ instance_id: string; task_id: number; attempt: number; lock_expires_at: string }>(
      `SELECT instance_id, task_id, attempt, lock_expires_at::text FROM ${schema}.activity_tasks
       WHERE hub = $1 AND locked_by = $2 AND lock_expires_at > ${NOW_MS}`,
      [hub, workerId],
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
 * Stops a worker with SIGSTOP at a moment it holds leases, and returns them: the work a kill -9 now
 * leaves behind. A frozen process sends nothing more, but a statement it sent just before (a step's
 * commit, say) still runs to its end and may release leases, so the leases are read only once none of
 * its sessions is running a statement. If it holds nothing at that moment it is let go on and tried again.
 */
export async function freezeHoldingLeases(store: TestStore, hub: string, workerId: string, child: ChildProcess): Promise<HeldLeases> {
  const pid = child.pid!;
  for (let attempt = 1; ; attempt++) {
    child.kill('SIGSTOP');
    await waitUntilSessionsQuiet(store, pid);
    const held = await leasesHeldBy(store, hub, workerId);
    if (held.instances.length + held.tasks.length > 0 || attempt === MAX_FREEZE_ATTEMPTS) return held;
    child.kill('SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const MAX_FREEZE_ATTEMPTS = 50;
/** Loopback hands a sent statement to the server well within this; two quiet readings this far apart
 *  mean nothing more is on its way. */
const QUIET_GAP_MS = 50;

async function waitUntilSessionsQuiet(store: TestStore, pid: number): Promise<void> {
  const schema = store.schema ?? 'taskhub';
  const names = [applicationName(schema, 'pool', pid), applicationName(schema, 'listen', pid)];
  const client = new pg.Client({ connectionString: store.connectionString });
  await client.connect();
  const busy = async (): Promise<boolean> => {
    const running = await client.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM pg_stat_activity WHERE application_name = ANY($1) AND state = 'active'`,
      [names],
    );
    return running.rows[0]!.count !== '0';
  };
  try {
    await eventually(`the statements of process ${pid} to finish`, async () => {
      if (await busy()) return undefined;
      await new Promise((resolve) => setTimeout(resolve, QUIET_GAP_MS));
      return (await busy()) ? undefined : true;
    }, 30_000);
  } finally {
    await client.end();
  }
}
