/**
 * inTransaction listens for its connection's errors from the moment the pool hands it over. Found by the
 * restart chaos test (tests/chaos-pg): a worker died of an unhandled 'error' event when the server's
 * shutdown message arrived in the same read as the previous user's last reply.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { inTransaction } from '../../src/backend/postgres/connection.js';
import { TEST_PG_URL } from '../support/stores.js';

describe('inTransaction checking out a connection', () => {
  it('hears an error that reaches the connection in the same turn as the pool hands it over', async () => {
    const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 1 });
    pool.on('error', () => undefined);
    try {
      const held = await pool.connect();
      const transaction = inTransaction(pool, async ({ client }) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one);
      // The transaction waits for the only connection. Releasing it hands it over synchronously; the error
      // follows in the same turn, before any awaiting code could resume, as a shutdown message would.
      held.release();
      const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      assert.doesNotThrow(() => held.emit('error', shutdown), 'the error has a listener');
      assert.equal(await transaction, 1);
      assert.equal(pool.totalCount, 0, 'the connection that reported an error was closed, not pooled again');
    } finally {
      await pool.end();
    }
  });
});
