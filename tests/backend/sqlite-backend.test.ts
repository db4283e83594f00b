/** What only the SQLite backend has: its file settings, migrations, its clock, and several connections and
 *  processes on one file. (Everything a backend must do is in src/testing/conformance.) */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { CommitOp, OrchestrationCommit, OrchestrationWorkItem, WorkSignal } from '../../src/backend/backend.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { MIGRATION_TABLE } from '../../src/backend/migrate.js';
import { SQLITE_MIGRATIONS } from '../../src/backend/sqlite/migrations/index.js';
import { prefixUpperBound } from '../../src/backend/sqlite/instance-filter.js';
import { applySqliteMigrations } from '../../src/backend/sqlite/schema.js';
import { SqliteBackend, openSqliteBackend } from '../../src/backend/sqlite/index.js';
import { startAllIn, startRequest, timerFired } from '../../src/testing/conformance/fixtures.js';
import { startHarness } from '../support/harness.js';

const root = mkdtempSync(join(tmpdir(), 'taskhub-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
function freshPath(): string {
  return join(root, `case-${++files}`, 'store.db');
}

/** A fresh database file with the migrations before the named one applied. */
function databaseBefore(migration: string): { path: string; db: Database.Database } {
  const path = freshPath();
  mkdirSync(join(path, '..'), { recursive: true });
  const db = new Database(path);
  const upTo = SQLITE_MIGRATIONS.findIndex((m) => m.name === migration);
  assert.ok(upTo > 0, `a migration named ${migration}`);
  applySqliteMigrations(db, SQLITE_MIGRATIONS.slice(0, upTo));
  return { path, db };
}

const HUB = 'hub';

function commitFor(item: OrchestrationWorkItem, ops: CommitOp[] = []): OrchestrationCommit {
  return { instance: { status: 'Running' }, ops: [{ op: 'deleteMessages', ids: item.messages.map((message) => message.id) }, ...ops] };
}

/** Tables, indexes and recorded migrations: what "the same schema" means. */
function schemaOf(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      objects: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all(),
      migrations: db.prepare(`SELECT * FROM ${MIGRATION_TABLE} ORDER BY version`).all(),
    };
  } finally {
    db.close();
  }
}

describe('SQLite file settings', () => {
  it('creates the directory and the file, in WAL mode with synchronous=FULL by default', async () => {
    const path = freshPath();
    const backend = await openSqliteBackend(path);
    try {
      assert.ok(existsSync(path));
      assert.deepEqual(backend.durability(), { journalMode: 'wal', synchronous: 'full' });
      assert.equal(backend.description, `sqlite:${path}`);
      await backend.createInstance(HUB, startRequest('one'));
      assert.ok(existsSync(`${path}-wal`), 'commits go to the write-ahead log');
    } finally {
      await backend.close();
    }
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL mode is a property of the file');
    db.close();
  });

  it('runs with synchronous=NORMAL when asked', async () => {
    const backend = await openSqliteBackend(freshPath(), { synchronous: 'normal' });
    assert.deepEqual(backend.durability(), { journalMode: 'wal', synchronous: 'normal' });
    await backend.close();
  });

  it('opens with a 64 MiB page cache and no memory map by default, as read back from the connection', async () => {
    const backend = await openSqliteBackend(freshPath());
    assert.deepEqual(backend.pageCache(), { cacheSizeKib: 65_536, mmapSizeBytes: 0 });
    await backend.close();
  });

  it('applies the page cache and memory map sizes it is given', async () => {
    const backend = await openSqliteBackend(freshPath(), { cacheSizeKib: 4096, mmapSizeBytes: 16 * 1024 * 1024 });
    assert.deepEqual(backend.pageCache(), { cacheSizeKib: 4096, mmapSizeBytes: 16 * 1024 * 1024 });
    await backend.close();
  });

  it('rejects page cache and memory map sizes out of range, naming the setting, before creating the file', () => {
    for (const cacheSizeKib of [0, -2000, 100, 1.5, Number.NaN, 2 ** 40]) {
      const path = freshPath();
      assert.throws(
        () => new SqliteBackend({ path, cacheSizeKib }),
        (error: Error) => error instanceof InvalidArgumentError && /SQLite page cache size is a whole number of KiB from 256/.test(error.message),
      );
      assert.ok(!existsSync(path), 'no file for a rejected setting');
    }
    for (const mmapSizeBytes of [-1, 0.5, 2 ** 50]) {
      assert.throws(
        () => new SqliteBackend({ path: freshPath(), mmapSizeBytes }),
        (error: Error) => error instanceof InvalidArgumentError && /SQLite memory map size is a whole number of bytes from 0/.test(error.message),
      );
    }
  });

  it('says to migrate first when the schema is missing', async () => {
    const backend = new SqliteBackend({ path: freshPath() });
    await assert.rejects(backend.getInstance(HUB, 'x'), /call migrate\(\) first/);
    await backend.close();
  });

  it('fails with StoreBusyError once another connection has held the write lock past the busy timeout', async () => {
    const path = freshPath();
    const backend = await openSqliteBackend(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      await assert.rejects(backend.createInstance(HUB, startRequest('blocked')), { code: 'STORE_BUSY', name: 'StoreBusyError' });
      other.exec('COMMIT');
      assert.deepEqual(await backend.createInstance(HUB, startRequest('blocked')), { created: true }, 'a retry succeeds');
    } finally {
      other.close();
      await backend.close();
    }
  });
});

describe('SQLite migrations', () => {
  it('record each applied version once and apply nothing the second time', async () => {
    const path = freshPath();
    const backend = await openSqliteBackend(path);
    const schema = schemaOf(path);
    await backend.migrate();
    await backend.close();
    const again = await openSqliteBackend(path);
    await again.close();
    assert.deepEqual(schemaOf(path), schema);
    const { migrations } = schema as { migrations: { version: number; name: string }[] };
    assert.deepEqual(migrations.map((m) => [m.version, m.name]), SQLITE_MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('backfill the histogram rollup with the instances a store holds when it is upgraded', async () => {
    const { path, db } = databaseBefore('histogram_rollup');
    const insert = db.prepare(`INSERT INTO instances (hub, instance_id, execution_id, name, status, created_at, last_updated_at)
      VALUES ('hub', ?, 'e', 'Orchestrator', ?, ?, ?)`);
    for (const [id, status, createdAt] of [['a', 'Completed', 60_001], ['b', 'Completed', 119_999], ['c', 'Failed', 120_000]] as const) insert.run(id, status, createdAt, createdAt);
    db.close();
    const backend = await openSqliteBackend(path);
    try {
      assert.deepEqual(await backend.instanceHistogram('hub', { origin: 0, intervalMs: 60_000 }), [
        { intervalStart: 60_000, status: 'Completed', count: 2 },
        { intervalStart: 120_000, status: 'Failed', count: 1 },
      ]);
    } finally {
      await backend.close();
    }
  });

  it('upgrade a database at every earlier version to exactly the fresh schema', () => {
    const freshFile = freshPath();
    mkdirSync(join(freshFile, '..'), { recursive: true });
    const fresh = new Database(freshFile);
    applySqliteMigrations(fresh);
    fresh.close();
    for (let applied = 0; applied <= SQLITE_MIGRATIONS.length; applied++) {
      const path = freshPath();
      mkdirSync(join(path, '..'), { recursive: true });
      const db = new Database(path);
      applySqliteMigrations(db, SQLITE_MIGRATIONS.slice(0, applied));
      const upgraded = applySqliteMigrations(db);
      db.close();
      assert.deepEqual(upgraded, SQLITE_MIGRATIONS.slice(applied).map((m) => m.version), `from version ${applied}`);
      assert.deepEqual(schemaOf(path), schemaOf(freshFile), `from version ${applied}`);
    }
  });

  it('give the tags of a store made before migration 4 their instances\' listing order', async () => {
    const { path, db } = databaseBefore('tags_in_listing_order');
    // Created out of id and row order, two at the same time: only (created_at, row_seq) orders them.
    const instances = [['late', 30], ['early', 10], ['tie-1', 20], ['tie-2', 20], ['other', 15]] as const;
    for (const [id, createdAt] of instances) {
      db.prepare(`INSERT INTO instances (hub, instance_id, execution_id, name, status, created_at, last_updated_at, tags)
        VALUES (?, ?, 'e', 'N', 'Completed', ?, ?, ?)`).run(HUB, id, createdAt, createdAt, JSON.stringify({ tenant: id === 'other' ? 'bolt' : 'acme' }));
      db.prepare('INSERT INTO instance_tags (hub, instance_id, key, value) VALUES (?, ?, ?, ?)').run(HUB, id, 'tenant', id === 'other' ? 'bolt' : 'acme');
    }
    applySqliteMigrations(db);
    db.close();
    const backend = await openSqliteBackend(path);
    try {
      const listed = async (orderBy: 'oldest' | 'newest') => {
        const ids: string[] = [];
        let continuationToken: string | undefined;
        do {
          const page = await backend.listInstances(HUB, { tags: { tenant: 'acme' }, pageSize: 1, includeInput: false, orderBy, continuationToken });
          ids.push(...page.instances.map((record) => record.instanceId));
          continuationToken = page.continuationToken;
        } while (continuationToken !== undefined);
        return ids;
      };
      assert.deepEqual(await listed('oldest'), ['early', 'tie-1', 'tie-2', 'late']);
      assert.deepEqual(await listed('newest'), ['late', 'tie-2', 'tie-1', 'early']);
    } finally {
      await backend.close();
    }
  });

  it('refuse to run over a released migration that was edited', async () => {
    const path = freshPath();
    await (await openSqliteBackend(path)).close();
    const db = new Database(path);
    const edited = SQLITE_MIGRATIONS.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    assert.throws(() => applySqliteMigrations(db, edited), /must never be edited/);
    db.close();
  });

  it('let several processes migrate a new file at the same time', async () => {
    const path = freshPath();
    const outputs = await Promise.all([1, 2, 3].map((n) => runClaimProcess(path, HUB, `migrator-${n}`).finished));
    assert.deepEqual(outputs, [[], [], []]);
    assert.equal((schemaOf(path) as { migrations: unknown[] }).migrations.length, SQLITE_MIGRATIONS.length);
  });
});

describe('SQLite instance-id prefixes', () => {
  it('bound the prefix range right at the top of Unicode and around the surrogates', async () => {
    assert.equal(prefixUpperBound('abc'), 'abd');
    assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
    assert.equal(prefixUpperBound('\u{10FFFF}\u{10FFFF}'), undefined);
    assert.equal(prefixUpperBound('x\uD7FF'), 'x\uE000');

    const backend = await openSqliteBackend(freshPath());
    try {
      const ids = ['a', 'a\u{10FFFF}', 'a\u{10FFFF}z', 'a\u{10FFFF}\u{10FFFF}', 'b', '\u{10FFFF}', '\u{10FFFF}x', 'x\uD7FFy', 'x\uE000'];
      for (const id of ids) await backend.createInstance(HUB, startRequest(id));
      const listed = async (instanceIdPrefix: string): Promise<string[]> =>
        (await backend.listInstances(HUB, { instanceIdPrefix, pageSize: 100, includeInput: false })).instances.map((i) => i.instanceId);
      for (const prefix of ['a', 'a\u{10FFFF}', '\u{10FFFF}', 'x\uD7FF', 'x']) {
        assert.deepEqual(await listed(prefix), ids.filter((id) => id.startsWith(prefix)), JSON.stringify(prefix));
      }
    } finally {
      await backend.close();
    }
  });
});

describe('SQLite planner statistics', () => {
  it('are gathered once 10,000 instances were created, after which a tag filter reads the tagged instances by id', async () => {
    const path = freshPath();
    const backend = await openSqliteBackend(path);
    const tagPlan = () => {
      const db = new Database(path, { readonly: true });
      try {
        const sql = `SELECT row_seq FROM instances WHERE hub = ? AND instance_id IN
          (SELECT instance_id FROM instance_tags WHERE hub = ? AND key = 'tenant' AND value = 't-7') ORDER BY created_at DESC, row_seq DESC LIMIT 101`;
        const analyzed = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get() !== undefined;
        return { analyzed, plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(HUB, HUB) as { detail: string }[]).map((row) => row.detail).join(' | ') };
      } finally {
        db.close();
      }
    };
    try {
      for (let first = 0; first < 10_000; first += 1000) {
        await Promise.all(Array.from({ length: 1000 }, (_, k) =>
          backend.createInstance(HUB, { ...startRequest(`stats-${first + k}`), tags: { tenant: `t-${(first + k) % 100}` } })));
        if (first < 9000) assert.equal(tagPlan().analyzed, false, `not yet at ${first + 1000}`);
      }
      for (let i = 0; i < 100 && !tagPlan().analyzed; i++) await sleep(20);
      const { analyzed, plan } = tagPlan();
      assert.ok(analyzed, 'sqlite_stat1 exists');
      assert.match(plan, /SEARCH instances USING INDEX instances_by_id \(hub=\? AND instance_id=\?\)/, plan);
    } finally {
      await backend.close();
    }
  });
});

describe('SQLite purge by query', () => {
  it('starts with small batches and lets other writes commit between them', async () => {
    const backend = await openSqliteBackend(freshPath());
    try {
      await startAllIn(backend, HUB, Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`done-${i}`, 'Completed' as const])));
      // The purge's first batch runs as it is called; the creation waits for the lock behind it.
      const purge = backend.purgeInstances(HUB, {}, 500);
      await backend.createInstance(HUB, startRequest('during'));
      const left = (await backend.countInstances(HUB, { statuses: ['Completed'] })).Completed ?? 0;
      assert.ok(left > 300, `the creation committed after ${600 - left} of 600 were purged, not after a batch of 500`);
      assert.equal(await purge, 600);
      assert.deepEqual(await backend.countInstances(HUB, {}), { Pending: 1 });
    } finally {
      await backend.close();
    }
  });
});

describe('SQLite clock', () => {
  it('times visibility and leases by the injected clock, so tests need not sleep', async () => {
    let now = Date.UTC(2030, 0, 1);
    const backend = await openSqliteBackend(freshPath(), { clock: () => now });
    try {
      await backend.createInstance(HUB, startRequest('timed'));
      const [item] = await backend.claimOrchestrations(HUB, { workerId: 'a', max: 1, leaseMs: 500 });
      assert.ok(item);
      assert.equal(item.claimedAt, now);
      assert.equal(item.instance.createdAt, now);
      await backend.commitOrchestration(HUB, item, commitFor(item, [{ op: 'deliverMessage', message: { instanceId: 'timed', event: timerFired(1), visibleAt: now + 1000 } }]));
      assert.equal(await backend.nextWakeAt(HUB), now + 1000);
      assert.deepEqual(await backend.claimOrchestrations(HUB, { workerId: 'a', max: 1, leaseMs: 500 }), []);
      now += 1000;
      const [fired] = await backend.claimOrchestrations(HUB, { workerId: 'a', max: 1, leaseMs: 500 });
      assert.ok(fired);
      assert.equal(fired.messages[0]?.event.type, 'TimerFired');

      now += 500;
      const [taken] = await backend.claimOrchestrations(HUB, { workerId: 'b', max: 1, leaseMs: 500 });
      assert.ok(taken, 'the lease expired by the clock');
      assert.deepEqual(await backend.commitOrchestration(HUB, fired, commitFor(fired)), { ok: false, reason: 'lease-lost' });
    } finally {
      await backend.close();
    }
  });
});

describe('SQLite with several connections', () => {
  it('signals across backend objects that reach the same file by different paths', async () => {
    const directory = join(root, `case-${++files}`);
    mkdirSync(join(directory, 'real'), { recursive: true });
    symlinkSync(join(directory, 'real'), join(directory, 'alias'));
    const client = await openSqliteBackend(join(directory, 'real', 'store.db'));
    const worker = await openSqliteBackend(join(directory, 'alias', '..', 'alias', 'store.db'));
    try {
      const heard: WorkSignal[] = [];
      worker.subscribe(HUB, (signal) => heard.push(signal));
      await client.createInstance(HUB, startRequest('hello'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(heard, [{ kind: 'orchestration' }]);
    } finally {
      await client.close();
      await worker.close();
    }
  });

  it('never gives one instance to two processes claiming from the same file at once', async () => {
    const path = freshPath();
    const backend = await openSqliteBackend(path);
    const ids = Array.from({ length: 200 }, (_, i) => `shared-${i}`);
    for (const id of ids) await backend.createInstance(HUB, startRequest(id));
    const other = runClaimProcess(path, HUB, 'other-process');
    await other.ready;
    const mine: string[] = [];
    for (;;) {
      const items = await backend.claimOrchestrations(HUB, { workerId: 'this-process', max: 2, leaseMs: 60_000 });
      if (items.length === 0) break;
      for (const item of items) {
        mine.push(item.instance.instanceId);
        assert.deepEqual(await backend.commitOrchestration(HUB, item, { ...commitFor(item), instance: { status: 'Completed' } }), { ok: true, leasedActivities: [] });
      }
      // SQLite's write lock has no queue: a waiting process polls for it, so back-to-back transactions
      // would starve the other process. Workers pause between claims; so does this test.
      await sleep(5);
    }
    const theirs = await other.finished;
    await backend.close();
    assert.ok(mine.length > 0 && theirs.length > 0, `both processes claimed work (${mine.length} here, ${theirs.length} there)`);
    const all = [...mine, ...theirs];
    assert.equal(new Set(all).size, all.length, 'no instance was claimed twice');
    assert.deepEqual([...all].sort(), [...ids].sort());
  });
});

interface ClaimProcess {
  ready: Promise<void>;
  /** The ids the process claimed. */
  finished: Promise<string[]>;
}

/** Runs sqlite-claim-process.ts (tsx) or .js (compiled) with this process's loader flags, minus test-runner flags. */
function runClaimProcess(path: string, hub: string, workerId: string): ClaimProcess {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const script = fileURLToPath(new URL(`./sqlite-claim-process${extension}`, import.meta.url));
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--test'));
  const child = spawn(process.execPath, [...flags, script, path, hub, workerId], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (output.startsWith('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`${workerId} exited before it was ready: ${output}`)));
  });
  const finished = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = output.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(last) as string[]);
      else reject(new Error(`${workerId} exited with code ${code}: ${output}`));
    });
  });
  return { ready, finished };
}

describe('SQLite histogram rollup', () => {
  const countersOf = (path: string, hub: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare<[string], { status: string; minute: number; count: number }>('SELECT status, minute, count FROM instance_histogram WHERE hub = ? ORDER BY status, minute').all(hub);
    } finally {
      db.close();
    }
  };

  it('deletes a counter that falls to zero: none is left after a purge or a deleteHub', async () => {
    const harness = await startHarness('sqlite', {});
    try {
      const path = harness.store.connectionString.slice('sqlite:'.length);
      const ids = await Promise.all(Array.from({ length: 12 }, () => harness.client.startNew('Chain', { input: { steps: 2, delayMs: 0 } })));
      await Promise.all(ids.map((id) => harness.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 })));
      // Pending and Running were left by every instance: only Completed is counted, in one row a minute.
      assert.deepEqual([...new Set(countersOf(path, harness.hub).map((counter) => counter.status))], ['Completed']);
      assert.equal(countersOf(path, harness.hub).reduce((sum, counter) => sum + counter.count, 0), 12);

      assert.equal((await harness.client.purgeInstanceHistory(ids[0]!)).instancesDeleted, 1);
      assert.equal(countersOf(path, harness.hub).reduce((sum, counter) => sum + counter.count, 0), 11);
      assert.equal((await harness.client.purgeInstanceHistoryBy({})).instancesDeleted, 11);
      assert.deepEqual(countersOf(path, harness.hub), []);

      await harness.client.startNew('Chain', { input: { steps: 1, delayMs: 60_000 } });
      assert.equal(countersOf(path, harness.hub).length, 1);
      assert.equal(await harness.client.deleteTaskHub(), true);
      assert.deepEqual(countersOf(path, harness.hub), []);
    } finally {
      await harness.close();
    }
  });

  it('drops the zero counters a store held when it is upgraded', () => {
    const { db } = databaseBefore('histogram_drops_empty_minutes');
    try {
      db.prepare(`INSERT INTO instances (hub, instance_id, execution_id, name, status, created_at, last_updated_at) VALUES ('hub', 'a', 'e', 'Orchestrator', 'Pending', 60000, 60000)`).run();
      db.prepare(`UPDATE instances SET status = 'Completed' WHERE instance_id = 'a'`).run();
      assert.deepEqual(db.prepare('SELECT status, count FROM instance_histogram ORDER BY status').all(), [{ status: 'Completed', count: 1 }, { status: 'Pending', count: 0 }]);
      applySqliteMigrations(db);
      assert.deepEqual(db.prepare('SELECT status, count FROM instance_histogram ORDER BY status').all(), [{ status: 'Completed', count: 1 }]);
    } finally {
      db.close();
    }
  });
});
