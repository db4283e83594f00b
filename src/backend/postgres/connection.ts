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

/**
 * A named statement: node-postgres prepares it once per connection, and the server can then reuse its plan
 * instead of planning every call (0.1–0.7 ms a statement here, as much as executing it). Only for
 * statements whose text never changes for a store; those built from filters stay unnamed.
 */
export function named(name: string, text: string, values: unknown[]): pg.QueryConfig {
  return { name: `taskhub_${name}`, text, values };
}

/** A pool or one of its connections: single statements run on either. */
export type Queryable = pg.Pool | pg.PoolClient;

export interface Transaction {
  client: pg.PoolClient;
  /** Ends the transaction with ROLLBACK instead of COMMIT once the work returns. */
  rollback(): void;
}

export async function inTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  // A checked-out connection that the server drops between two statements emits 'error' on the client, and
  // nothing listens to a checked-out client: the process would crash (pool.query guards itself this way).
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  const client = await checkOut(pool, onError);
  let rollback = false;
  try {
    await client.query('BEGIN');
    const result = await work({ client, rollback: () => { rollback = true; } });
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    // A failed ROLLBACK means the connection is unusable, like a lost one.
    if (lost === undefined) await client.query('ROLLBACK').catch((rollbackError: Error) => { lost = rollbackError; });
    throw error;
  } finally {
    client.off('error', onError);
    // release(error) closes the connection rather than returning it to the pool.
    client.release(lost);
  }
}

/**
 * pool.connect() with `onError` listening from the moment the pool hands the connection over. The promise
 * form resumes the caller a microtask later: a connection handed over while the pool reads the previous
 * user's last reply can, in the same read, get the server's shutdown message (57P01), and with no listener
 * yet the 'error' event would crash the process (seen when PostgreSQL restarts under load).
 */
function checkOut(pool: pg.Pool, onError: (error: Error) => void): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client) => {
      if (error || !client) {
        reject(error ?? new Error('the pool gave no connection'));
        return;
      }
      client.on('error', onError);
      resolve(client);
    });
  });
}
