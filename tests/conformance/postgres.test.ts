/** The backend conformance suite (taskhub/testing) on PostgreSQL, in a fresh schema dropped afterwards. */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';
import { PostgresBackend } from '../../src/backend/postgres/index.js';
import { TEST_PG_URL } from '../support/stores.js';
// By the package's name, as a store of its own would: the suite is what `taskhub/testing` exports.
import { runBackendConformance } from 'taskhub/testing';

const schema = `taskhub_test_${randomBytes(6).toString('hex')}`;

after(async () => {
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
});

runBackendConformance('postgres', async () => new PostgresBackend({ connectionString: TEST_PG_URL, schema }));
