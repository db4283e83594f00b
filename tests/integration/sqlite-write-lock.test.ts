/**
 * Another process holding the SQLite file's write lock (`BEGIN IMMEDIATE`) must not
 * freeze the server. Reads answer while the lock is held (in WAL mode they never wait for a writer, and
 * writes wait for the lock asynchronously instead of in SQLite's synchronous busy handler), and a write sent
 * meanwhile completes once the lock is released. The locking process lets go on its own after a few
 * seconds, less than the old synchronous busy timeout (5 s): a server frozen by a write's busy wait could
 * not answer before that, so the order of events tells.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTaskHub, silentLogger, type TaskHub } from '../../src/index.js';
import { createHttpServer } from '../../src/http/server.js';
import { registry } from '../../examples/demo-app.js';
import { send } from '../http/http-harness.js';

const BASE = '/runtime/webhooks/durabletask';
const HUB = 'LockedHub';
/** The locker's own release, if the test never asks: shorter than the old 5 s busy wait. */
const LOCK_CAP_MS = 4000;

const LOCKER = `
import Database from 'better-sqlite3';
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
const release = (why) => { db.exec('COMMIT'); db.close(); process.stdout.write('released ' + why + '\\n'); process.exit(0); };
const cap = setTimeout(() => release('on its own'), Number(process.argv[2]));
process.stdin.once('data', () => { clearTimeout(cap); release('when asked'); });
`;

interface Locker {
  child: ChildProcess;
  locked: Promise<void>;
  released: Promise<string>;
}

function holdWriteLock(file: string, onReleased: () => void): Locker {
  const child = spawn(process.execPath, ['--input-type=module', '-e', LOCKER, file, String(LOCK_CAP_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let lockedSeen: () => void = () => undefined;
  let releasedSeen: (how: string) => void = () => undefined;
  const locked = new Promise<void>((resolve) => (lockedSeen = resolve));
  const released = new Promise<string>((resolve) => (releasedSeen = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('locked\n')) lockedSeen();
    const match = /released (.*)\n/.exec(output);
    if (match) {
      onReleased();
      releasedSeen(match[1]!);
    }
  });
  return { child, locked, released };
}

describe('SQLite write lock held by another process', () => {
  let directory: string;
  let taskHub: TaskHub;
  let app: ReturnType<typeof createHttpServer>;
  let url: string;
  let file: string;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'taskhub-lock-'));
    file = join(directory, 'store.db');
    taskHub = await createTaskHub({ storage: `sqlite:${file}`, hub: HUB, registry, worker: { logger: silentLogger } });
    app = createHttpServer({ logger: silentLogger, backend: taskHub.backend, hub: HUB, registry, connectionString: `sqlite:${file}` });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await taskHub.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers reads while the lock is held, and completes a write sent meanwhile once it is released', async () => {
    const finished = await taskHub.client.startNew('HelloWorld', { instanceId: 'before-the-lock', input: 'lock' });
    await taskHub.client.waitForCompletion(finished, { retryIntervalInMilliseconds: 10 });

    const events: string[] = [];
    const locker = holdWriteLock(file, () => events.push('lock released'));
    await locker.locked;
    // A write first: under a synchronous busy wait it would hold the event loop until the lock went.
    const started = send(url, 'POST', `${BASE}/orchestrators/HelloWorld/during-the-lock`, { json: 'waits' }).then((answer) => {
      events.push('write answered');
      return answer;
    });
    for (let round = 0; round < 3; round++) {
      for (const path of [
        `${BASE}/instances/before-the-lock`,
        `${BASE}/instances?top=10`,
        `${BASE}/counts`,
        `${BASE}/instances/before-the-lock?showHistory=true`,
      ]) {
        const answer = await send(url, 'GET', path);
        assert.equal(answer.status, 200, path);
        events.push(`read ${round}`);
      }
    }
    assert.equal((await send(url, 'GET', `${BASE}/instances/before-the-lock`)).body.output, 'Hello lock!');
    events.push('reads done');
    locker.child.stdin!.write('release\n');
    assert.equal(await locker.released, 'when asked', `the reads did not answer before the lock's holder let go on its own: ${events.join(', ')}`);

    assert.deepEqual(events.slice(-2), ['reads done', 'lock released'], 'every read answered before the lock was released, and the write did not');
    assert.equal((await started).status, 202);
    assert.deepEqual(events.at(-1), 'write answered');
    const done = await taskHub.client.waitForCompletion('during-the-lock', { retryIntervalInMilliseconds: 10, timeoutInMilliseconds: 20_000 });
    assert.equal(done.output, 'Hello waits!');
  });
});
