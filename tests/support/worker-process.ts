/**
 * A worker in its own process, for multi-process and kill -9 tests. Configured by environment:
 * TASKHUB_STORAGE, TASKHUB_TEST_SCHEMA (PostgreSQL), TASKHUB_HUB, TASKHUB_TEST_LEASE_MS, TASKHUB_TEST_AUDIT
 * (a file that gets one JSON line per committed step), TASKHUB_TEST_WORKER_ID (optional: the id its leases
 * carry, so a test can find them in the store), TASKHUB_TEST_DIE_AT_COMMIT=N (optional: the process kills
 * itself with SIGKILL when its Nth step has run and is about to be committed), TASKHUB_TEST_BLOCK_LIMIT_MS
 * (optional: the worker's eventLoopBlockLimitMs, with stepTimeoutMs half of it), TASKHUB_TEST_BARRIER (optional: a file; the worker
 * prints "ready" and starts only once the file exists, so that several processes start at one moment),
 * TASKHUB_TEST_RESULTS_OF (optional: instance ids, comma-separated; once running, the process waits for
 * each and prints "result <id> <output JSON>", then "results done"), TASKHUB_TEST_LOG (optional: a file
 * that gets the worker's warnings and errors, one per line), TASKHUB_TEST_MEMORY (optional: a file that
 * gets "<time> <rss> <heapUsed>" every second). Prints "clock <Date.now()>" first (a test that
 * skews the process's clock checks it took), "ready" when running; stops on SIGTERM.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createTaskHub, silentLogger, type Logger } from '../../src/index.js';
import { openBackend } from '../../src/backend/open.js';
import type { Backend } from '../../src/backend/backend.js';
import { resolveConnectionString } from '../../src/config.js';
import { testRegistry } from './test-app.js';

const leaseMs = Number(process.env.TASKHUB_TEST_LEASE_MS ?? 1000);
const auditFile = process.env.TASKHUB_TEST_AUDIT;
const dieAtCommit = Number(process.env.TASKHUB_TEST_DIE_AT_COMMIT ?? 0);
const dieAtStepWithActivity = Number(process.env.TASKHUB_TEST_DIE_AT_STEP_WITH_ACTIVITY ?? 0);
const logFile = process.env.TASKHUB_TEST_LOG;
const blockLimitMs = process.env.TASKHUB_TEST_BLOCK_LIMIT_MS ? Number(process.env.TASKHUB_TEST_BLOCK_LIMIT_MS) : undefined;

const backend = await openBackend(resolveConnectionString(), { postgresSchema: process.env.TASKHUB_TEST_SCHEMA || undefined });
if (dieAtCommit > 0) dieBeforeCommit(backend, dieAtCommit);
if (dieAtStepWithActivity > 0) dieBeforeStepWithActivity(backend, dieAtStepWithActivity);

process.stdout.write(`clock ${Date.now()}\n`);

const memoryFile = process.env.TASKHUB_TEST_MEMORY;
if (memoryFile) {
  setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    appendFileSync(memoryFile, `${Date.now()} ${rss} ${heapUsed}\n`);
  }, 1000).unref();
}

const barrier = process.env.TASKHUB_TEST_BARRIER;
if (barrier) {
  process.stdout.write('ready\n');
  // Polled every millisecond, so processes waiting on one barrier start within about a millisecond of each other.
  while (!existsSync(barrier)) await delay(1);
}

const taskHub = await createTaskHub({
  storage: backend,
  hub: process.env.TASKHUB_HUB,
  registry: testRegistry(),
  worker: {
    orchestrationLeaseMs: leaseMs,
    activityLeaseMs: leaseMs,
    maxPollMs: 100,
    workerId: process.env.TASKHUB_TEST_WORKER_ID || undefined,
    eventLoopBlockLimitMs: blockLimitMs,
    // The step guard must stop a step before the watcher would end the process.
    stepTimeoutMs: blockLimitMs === undefined ? undefined : Math.floor(blockLimitMs / 2),
    logger: logFile ? fileLogger(logFile) : process.env.TASKHUB_TEST_VERBOSE ? undefined : silentLogger,
    onStepCommitted: auditFile ? (record) => appendFileSync(auditFile, `${JSON.stringify(record)}\n`) : undefined,
  },
});
if (!barrier) process.stdout.write('ready\n');

const resultsOf = process.env.TASKHUB_TEST_RESULTS_OF;
if (resultsOf) {
  for (const id of resultsOf.split(',')) {
    const status = await taskHub.client.waitForCompletion(id, { timeoutInMilliseconds: 120_000 });
    process.stdout.write(`result ${id} ${JSON.stringify(status.output)}\n`);
  }
  process.stdout.write('results done\n');
}

process.once('SIGTERM', () => {
  void taskHub
    .close()
    .then(() => backend.close())
    .then(() => process.exit(0));
});

/** T01: the step has been claimed and run, its outcome is in hand, and the process dies before committing it. */
function dieBeforeCommit(target: Backend, n: number): void {
  let commits = 0;
  const commit = target.commitOrchestration.bind(target);
  target.commitOrchestration = (hub, item, step) => {
    commits++;
    if (commits === n) process.kill(process.pid, 'SIGKILL');
    return commit(hub, item, step);
  };
}

/** Dies after computing the nth step ahead of its claim, before sending it with its activity's result (docs/adr/0029). */
function dieBeforeStepWithActivity(target: Backend, n: number): void {
  let steps = 0;
  const complete = target.completeActivityWithStep.bind(target);
  target.completeActivityWithStep = (...args) => {
    steps++;
    if (steps === n) process.kill(process.pid, 'SIGKILL');
    return complete(...args);
  };
}

function fileLogger(file: string): Logger {
  const write = (level: string) => (message: string) => appendFileSync(file, `${level} ${message.split('\n')[0]}\n`);
  return { info: () => {}, warn: write('warn'), error: write('error') };
}
