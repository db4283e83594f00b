/**
 * The small things of a first hour with the CLI: `--version`, `count`, a closed pipe (`| head`), and
 * delete-task-hub saying when there was nothing to delete.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RUNTIME_STATUSES } from '../../src/index.js';
import { cliEntry, createCliStore, nodeArgs, type CliStore } from './cli-harness.js';

const packageJson = new URL(import.meta.url.endsWith('.ts') ? '../../package.json' : '../../../package.json', import.meta.url);
const packageVersion = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

describe('taskhub --version', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('prints the package version and exits 0, as -V does', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await cli.run([flag], { env: {} });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${packageVersion}\n`);
    }
  });
});

describe('taskhub count', () => {
  let cli: CliStore;
  before(async () => {
    cli = await createCliStore();
    for (const [id, name] of [['order-1', 'HelloWorld'], ['order-2', 'HelloWorld'], ['invoice-1', 'Approval']]) {
      await cli.client.startNew(name!, { instanceId: id });
    }
  });
  after(() => cli.close());

  it('prints every status with its count, and the total', async () => {
    const result = await cli.run(['count']);
    assert.equal(result.code, 0, result.stderr);
    const counts = JSON.parse(result.stdout) as Record<string, number>;
    assert.deepEqual(Object.keys(counts), [...RUNTIME_STATUSES, 'total']);
    assert.equal(counts.Pending, 3);
    assert.equal(counts.Running, 0);
    assert.equal(counts.total, 3);
  });

  it("takes get-instances' filters; --runtime-status shows only those statuses", async () => {
    const byPrefix = JSON.parse((await cli.run(['count', '--instance-id-prefix', 'order-'])).stdout) as Record<string, number>;
    assert.equal(byPrefix.total, 2);
    const byName = JSON.parse((await cli.run(['count', '--name', 'Approval'])).stdout) as Record<string, number>;
    assert.equal(byName.total, 1);
    const later = JSON.parse((await cli.run(['count', '--created-after', '2999-01-01'])).stdout) as Record<string, number>;
    assert.equal(later.total, 0);
    const some = await cli.run(['count', '--runtime-status', 'pending', 'running']);
    assert.equal(some.stdout, '{\n  "Pending": 3,\n  "Running": 0,\n  "total": 3\n}\n');
  });

  it('refuses a bad status or date as the other commands do (exit 2)', async () => {
    const bad = await cli.run(['count', '--runtime-status', 'sleeping']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: .*sleeping/);
    assert.equal((await cli.run(['count', '--created-after', 'yesterday'])).code, 2);
  });
});

describe('a closed pipe (taskhub get-instances | head)', () => {
  let cli: CliStore;
  before(async () => {
    cli = await createCliStore();
    await cli.client.startNew('HelloWorld', { instanceId: 'piped' });
  });
  after(() => cli.close());

  it('exits 0 without a word when the reader has gone', async () => {
    const child = spawn(process.execPath, [...nodeArgs, cliEntry, 'get-instances', '--task-hub-name', cli.hub], {
      cwd: cli.directory,
      env: { ...process.env, TASKHUB_STORAGE: cli.store.storage },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader closes before the command writes, as `head` does once it has its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});

describe('taskhub delete-task-hub', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('says when the hub had no data, and deletes one that has', async () => {
    const empty = await cli.run(['delete-task-hub', '--task-hub-name', 'NoSuchHub']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "Task hub 'NoSuchHub' has no data: nothing was deleted.\n");
    await cli.client.startNew('HelloWorld', { instanceId: 'doomed' });
    const deleted = await cli.run(['delete-task-hub']);
    assert.equal(deleted.stdout, `Task hub '${cli.hub}' deleted.\n`);
    assert.equal(await cli.client.getStatus('doomed'), undefined);
    assert.equal((await cli.run(['delete-task-hub'])).stdout, `Task hub '${cli.hub}' has no data: nothing was deleted.\n`);
  });
});
