/** S-HUB-1 and S-STORE-1: where the hub name and the connection string come from. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnectionString, resolveHubName, DEFAULT_CONNECTION_STRING } from '../../src/config.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('configuration', () => {
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-config-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('takes the connection string from TASKHUB_STORAGE, else the embedded file', () => {
    assert.equal(resolveConnectionString(undefined, {}), DEFAULT_CONNECTION_STRING);
    assert.equal(resolveConnectionString(undefined, { TASKHUB_STORAGE: 'postgres://x@h/db' }), 'postgres://x@h/db');
    assert.equal(resolveConnectionString('MY_DB', { MY_DB: 'sqlite:/tmp/a.db' }), 'sqlite:/tmp/a.db');
    assert.throws(() => resolveConnectionString('MY_DB', {}), /the connection string setting 'MY_DB' is not set/);
  });

  it('takes the hub from the argument, TASKHUB_HUB, host.json, then the default', () => {
    assert.equal(resolveHubName(undefined, { env: {}, directory }), 'DurableFunctionsHub');
    writeFileSync(join(directory, 'host.json'), JSON.stringify({ extensions: { durableTask: { hubName: 'FromHostJson' } } }));
    assert.equal(resolveHubName(undefined, { env: {}, directory }), 'FromHostJson');
    assert.equal(resolveHubName(undefined, { env: { TASKHUB_HUB: 'FromEnv' }, directory }), 'FromEnv');
    assert.equal(resolveHubName('Explicit', { env: { TASKHUB_HUB: 'FromEnv' }, directory }), 'Explicit');
  });

  it('reports a broken host.json or an invalid hub name clearly', () => {
    writeFileSync(join(directory, 'host.json'), '{ nope');
    assert.throws(() => resolveHubName(undefined, { env: {}, directory }), /host.json is not valid JSON/);
    assert.throws(() => resolveHubName('bad name', { env: {}, directory }), InvalidArgumentError);
  });
});
