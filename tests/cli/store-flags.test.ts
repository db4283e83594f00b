/**
 * The common flags (S-CLI, S-HUB-1, S-STORE-1): --connection-string-setting names the environment variable
 * holding the connection string (default TASKHUB_STORAGE; unset: the embedded SQLite file), and
 * --task-hub-name overrides TASKHUB_HUB and host.json's extensions.durableTask.hubName.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskHubClient } from '../../src/index.js';
import { openBackend } from '../../src/backend/open.js';
import { runTaskhub } from './cli-harness.js';
import { createTestStore, singleStoreUnderTest, storeExists } from '../support/stores.js';

describe('taskhub store flags', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'taskhub-cli-flags-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  async function statusIn(connectionString: string, hub: string, id: string) {
    const backend = await openBackend(connectionString);
    try {
      await backend.migrate();
      return await new TaskHubClient({ backend, hub }).getStatus(id);
    } finally {
      await backend.close();
    }
  }

  it('with no setting, uses the embedded store ./.taskhub/taskhub.db and the hub DurableFunctionsHub', async () => {
    const cwd = mkdtempSync(join(directory, 'default-'));
    const result = await runTaskhub(['start-new', '--function-name', 'HelloWorld', '--id', 'embedded'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const file = join(cwd, '.taskhub', 'taskhub.db');
    assert.ok(existsSync(file));
    assert.equal((await statusIn(`sqlite:${file}`, 'DurableFunctionsHub', 'embedded'))?.name, 'HelloWorld');
  });

  it('--connection-string-setting reads the connection string from the named variable', async () => {
    const file = join(directory, 'custom.db');
    const env = { MY_STORE: `sqlite:${file}`, TASKHUB_STORAGE: `sqlite:${join(directory, 'not-this.db')}` };
    const args = ['start-new', '--function-name', 'HelloWorld', '--id', 'custom', '--connection-string-setting', 'MY_STORE'];
    const result = await runTaskhub(args, { cwd: directory, env });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await statusIn(`sqlite:${file}`, 'DurableFunctionsHub', 'custom'));
    assert.ok(!existsSync(join(directory, 'not-this.db')));
    const shown = await runTaskhub(['get-runtime-status', '--id', 'custom', '--connection-string-setting', 'MY_STORE'], { cwd: directory, env });
    assert.equal(JSON.parse(shown.stdout).instanceId, 'custom');
  });

  it('--connection-string-setting TASKHUB_STORAGE, unset, is the embedded default', async () => {
    const cwd = mkdtempSync(join(directory, 'explicit-default-'));
    const result = await runTaskhub(['start-new', '--function-name', 'HelloWorld', '--connection-string-setting', 'TASKHUB_STORAGE'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(cwd, '.taskhub', 'taskhub.db')));
  });

  it('a command that only reads never creates a store: exit 1 and nothing made; a write creates it', async () => {
    const fresh = await createTestStore(singleStoreUnderTest());
    const env = { TASKHUB_STORAGE: fresh.storage };
    try {
      for (const command of [['get-instances'], ['get-runtime-status', '--id', 'x'], ['get-history', '--id', 'x']]) {
        const result = await runTaskhub(command, { cwd: directory, env });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /^error: the store .* has no taskhub tables of this version yet; a worker creates and upgrades them \(taskhub serve\), as does any command that writes\n$/);
      }
      assert.equal(await storeExists(fresh), false, 'nothing was created');
      assert.equal((await runTaskhub(['start-new', '--function-name', 'HelloWorld', '--id', 'first'], { cwd: directory, env })).code, 0);
      const listed = await runTaskhub(['get-instances'], { cwd: directory, env });
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /"instanceId": "first"/);
    } finally {
      await fresh.destroy();
    }
  });

  it('--task-hub-name beats TASKHUB_HUB, which beats host.json, which beats the default', async () => {
    const cwd = mkdtempSync(join(directory, 'hubs-'));
    const file = join(cwd, 'hubs.db');
    const env = { TASKHUB_STORAGE: `sqlite:${file}` };
    writeFileSync(join(cwd, 'host.json'), JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: 'FromHostJson' } } }));
    const start = (id: string, extra: string[], extraEnv: Record<string, string> = {}) =>
      runTaskhub(['start-new', '--function-name', 'HelloWorld', '--id', id, ...extra], { cwd, env: { ...env, ...extraEnv } });
    assert.equal((await start('via-host-json', [])).code, 0);
    assert.equal((await start('via-env', [], { TASKHUB_HUB: 'FromEnv' })).code, 0);
    assert.equal((await start('via-flag', ['--task-hub-name', 'TestTaskHub'], { TASKHUB_HUB: 'FromEnv' })).code, 0);
    assert.ok(await statusIn(env.TASKHUB_STORAGE, 'FromHostJson', 'via-host-json'));
    assert.ok(await statusIn(env.TASKHUB_STORAGE, 'FromEnv', 'via-env'));
    assert.ok(await statusIn(env.TASKHUB_STORAGE, 'TestTaskHub', 'via-flag'));

    const inOtherHub = await runTaskhub(['get-runtime-status', '--id', 'via-flag', '--task-hub-name', 'FromHostJson'], { cwd, env });
    assert.equal(inOtherHub.code, 1, 'hubs are separate namespaces');
  });

  it('a broken host.json is an input error (exit 2)', async () => {
    const cwd = mkdtempSync(join(directory, 'broken-host-'));
    writeFileSync(join(cwd, 'host.json'), '{ "extensions": ');
    const result = await runTaskhub(['get-instances'], { cwd, env: { TASKHUB_STORAGE: `sqlite:${join(cwd, 'x.db')}` } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: .*host\.json is not valid JSON/);
  });
});
