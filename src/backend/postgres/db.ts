/**
 * What every query module gets: the pool, the schema's table names, the NOTIFY channel, and a transaction
 * helper that gives back a connection the server may have dropped instead of returning it to the pool.
 */
import type pg from 'pg';
import type { Tables } from './sql.js';

export interface PostgresStore {
  pool: pg.Pool;
  tables: Tables;
  /** The LISTEN/NOTIFY channel of this schema (signals.ts). */
  channel: string;
}

/** A pool or one of its connections: single statements run on either. */
export type Queryable = pg.Pool | pg.PoolClient;

export interface Transaction {
  client: pg.PoolClient;
  /** Ends the transaction with ROLLBACK instead of COMMIT once the work returns. */
  rollback(): void;
}

export async function inTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let rollback = false;
  try {
    await client.query('BEGIN');
    const result = await work({ client, rollback: () => { rollback = true; } });
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A failed ROLLBACK means the connection is unusable: release(error) closes it rather than pooling it.
    const broken = await client.query('ROLLBACK').then(() => undefined, (rollbackError: unknown) => rollbackError);
    client.release(broken instanceof Error ? broken : undefined);
    throw error;
  }
}
