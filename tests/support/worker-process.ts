/**
 * A worker in its own process, for multi-process and kill -9 tests. Configured by environment:
 * TASKHUB_STORAGE, TASKHUB_TEST_SCHEMA (PostgreSQL), TASKHUB_HUB, TASKHUB_TEST_LEASE_MS, TASKHUB_TEST_AUDIT
 * (a file that gets one JSON line per committed step), TASKHUB_TEST_WORKER_ID (optional: the id its leases
 * carry, so a test can find them in the store). Prints "ready" when running; stops on SIGTERM.
 */
import { appendFileSync } from 'node:fs';
import { createTaskHub, silentLogger } from '../../src/index.js';
import { testRegistry } from './test-app.js';

const leaseMs = Number(process.env.TASKHUB_TEST_LEASE_MS ?? 1000);
const auditFile = process.env.TASKHUB_TEST_AUDIT;

const taskHub = await createTaskHub({
  storage: process.env.TASKHUB_STORAGE,
  postgresSchema: process.env.TASKHUB_TEST_SCHEMA,
  hub: process.env.TASKHUB_HUB,
  registry: testRegistry(),
  worker: {
    orchestrationLeaseMs: leaseMs,
    activityLeaseMs: leaseMs,
    maxPollMs: 100,
    workerId: process.env.TASKHUB_TEST_WORKER_ID || undefined,
    logger: process.env.TASKHUB_TEST_VERBOSE ? undefined : silentLogger,
    onStepCommitted: auditFile ? (record) => appendFileSync(auditFile, `${JSON.stringify(record)}\n`) : undefined,
  },
});
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void taskHub.close().then(() => process.exit(0));
});
