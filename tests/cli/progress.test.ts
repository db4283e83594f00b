/**
 * purge-history's progress bar: drawn on a terminal only, on stderr, once the purge runs long, and erased
 * at the end; stdout stays the JSON result.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTaskHub, silentLogger } from '../../src/index.js';
import { registry } from '../../examples/demo-app.js';
import { openBackend } from '../../src/backend/open.js';
import type { Backend } from '../../src/backend/backend.js';
import { renderProgressBar, withProgress, withWaitingLine } from '../../src/cli/progress.js';
import { capture, runInProcess } from './in-process.js';

describe('progress bar', () => {
  it('renders label, bar, percentage and counts, fitted to the width', () => {
    assert.equal(renderProgressBar('Purging', 0, 1000, 80), `Purging [${'-'.repeat(40)}]   0% 0/1000`);
    assert.equal(renderProgressBar('Purging', 420, 1000, 80), `Purging [${'#'.repeat(17)}${'-'.repeat(23)}]  42% 420/1000`);
    assert.equal(renderProgressBar('Purging', 1200, 1000, 80), `Purging [${'#'.repeat(40)}] 100% 1000/1000`);
    const narrow = renderProgressBar('Purging', 5, 10, 40);
    assert.equal(narrow, `Purging [${'#'.repeat(10)}${'-'.repeat(9)}]  50% 5/10`);
    assert.ok(narrow.length < 40);
  });

  it('redraws on a terminal while the work runs, then erases itself', async () => {
    const stream = capture(true);
    let reads = 0;
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const result = await withProgress(work, {
      stream,
      label: 'Purging',
      total: 3,
      delayMs: 0,
      intervalMs: 1,
      readDone: async () => {
        reads += 1;
        if (reads === 3) finish('done');
        return Math.min(reads, 3);
      },
    });
    assert.equal(result, 'done');
    const frames = stream.text.split('\r').filter(Boolean);
    assert.ok(frames.length >= 3, stream.text);
    assert.equal(frames[0], renderProgressBar('Purging', 1, 3, 80));
    assert.equal(frames.at(-1), '\u001b[2K', 'the bar is erased at the end');
  });

  it('draws nothing when the stream is not a terminal, or when the work finishes before the delay', async () => {
    const pipe = capture(false);
    assert.equal(await withProgress(Promise.resolve(7), { stream: pipe, label: 'x', total: 10, delayMs: 0, readDone: async () => assert.fail('not read') }), 7);
    const terminal = capture(true);
    assert.equal(await withProgress(Promise.resolve(8), { stream: terminal, label: 'x', total: 10, readDone: async () => assert.fail('not read') }), 8);
    assert.equal(pipe.text + terminal.text, '');
  });

  it('passes the work’s error through and stops drawing', async () => {
    const stream = capture(true);
    await assert.rejects(
      withProgress(Promise.reject(new Error('store gone')), { stream, label: 'x', total: 10, delayMs: 0, readDone: async () => 1 }),
      /store gone/,
    );
  });
});

describe('taskhub purge-history on a terminal', () => {
  let directory: string;
  let backend: Backend;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'taskhub-cli-progress-'));
    env = { TASKHUB_STORAGE: `sqlite:${join(directory, 'p.db')}` };
    backend = await openBackend(env.TASKHUB_STORAGE!);
    await backend.migrate();
  });
  after(async () => {
    await backend.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('prints only the JSON result on stdout', async () => {
    const hub = await createTaskHub({ storage: backend, hub: 'DurableFunctionsHub', registry, worker: { logger: silentLogger } });
    try {
      const ids = [];
      for (let i = 0; i < 30; i++) ids.push(await hub.client.startNew('HelloWorld', { input: String(i) }));
      for (const id of ids) await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 30_000 });
    } finally {
      await hub.close();
    }
    const result = await runInProcess(['purge-history'], { env, cwd: directory, stderrIsTTY: true });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '{\n  "instancesDeleted": 30\n}\n');
  });
});

describe('waiting lines', () => {
  it('on a terminal: the label with the seconds waited, redrawn, then erased', async () => {
    const stream = capture(true);
    const result = await withWaitingLine(() => new Promise((resolve) => setTimeout(() => resolve('done'), 60)), { stream, label: 'Waiting', delayMs: 0, intervalMs: 10 });
    assert.equal(result, 'done');
    const frames = stream.text.split('\r').filter(Boolean);
    assert.ok(frames.length >= 3, stream.text);
    assert.equal(frames[0], '\u001b[2KWaiting … 0 s');
    assert.equal(frames.at(-1), '\u001b[2K', 'erased at the end');
  });

  it('drawn before the work starts when the delay is 0 (work that holds the event loop)', async () => {
    const stream = capture(true);
    await withWaitingLine(async () => assert.equal(stream.text, '\r\u001b[2KDeleting … 0 s'), { stream, label: 'Deleting', delayMs: 0 });
  });

  it('nothing off a terminal', async () => {
    const stream = capture(false);
    await withWaitingLine(() => new Promise((resolve) => setTimeout(resolve, 30)), { stream, label: 'x', delayMs: 0, intervalMs: 1 });
    assert.equal(stream.text, '');
  });
});

describe('taskhub terminate and delete-task-hub on a terminal', () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'taskhub-cli-waiting-'));
    env = { TASKHUB_STORAGE: `sqlite:${join(directory, 'w.db')}` };
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('terminate without a worker: a waiting line on stderr until the timeout, then the error', async () => {
    const hub = await createTaskHub({ storage: env.TASKHUB_STORAGE, hub: 'DurableFunctionsHub', worker: false });
    try {
      await hub.client.startNew('Approval', { instanceId: 'waiting' });
    } finally {
      await hub.close();
    }
    const result = await runInProcess(['terminate', '--id', 'waiting', '--timeout', '2.5'], { env, cwd: directory, stderrIsTTY: true });
    assert.equal(result.code, 1);
    // The line is redrawn each second; a loaded machine may run a redraw late and skip a count, so any count after 0 s.
    const redrawn = ['1 s', '2 s'].some((count) => result.stderr.includes(`\r\u001b[2KWaiting up to 2.5 s for instance 'waiting' to reach Terminated (a worker does it) … ${count}`));
    assert.ok(redrawn, result.stderr);
    assert.ok(result.stderr.includes("\r\u001b[2Kerror: instance 'waiting' did not reach Terminated within 2.5 s"), result.stderr);
  });

  it('delete-task-hub: a line saying what is deleted, erased before the result', async () => {
    const result = await runInProcess(['delete-task-hub'], { env, cwd: directory, stderrIsTTY: true });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "\r\u001b[2KDeleting task hub 'DurableFunctionsHub' (1 instance) … 0 s\r\u001b[2K");
    assert.equal(result.stdout, "Task hub 'DurableFunctionsHub' deleted.\n");
  });
});
