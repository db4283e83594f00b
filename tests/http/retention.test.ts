/** (beyond DF) GET/PUT …/retention over real HTTP, and `taskhub retention get|set` through the real binary: a policy set on one surface is read on the others; a bad policy is a 400 / exit 2. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, startTestServer, type TestServer } from './http-harness.js';
import { runTaskhub } from '../cli/cli-harness.js';
import { eventually } from '../support/polling.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('…/retention', () => {
  test('PUT sets the policy; GET, the client and the CLI read it; a bad one is a 400 or exit 2 and changes nothing', async () => {
    assert.deepEqual((await server.request('GET', `${BASE}/retention`)).body, { policy: {}, purgedTotal: 0 });
    const put = await server.request('PUT', `${BASE}/retention`, { json: { completedDays: 7, maxFinished: 100000 } });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.policy, { completedDays: 7, maxFinished: 100000 });
    assert.deepEqual((await server.client.getRetention()).policy, { completedDays: 7, maxFinished: 100000 });
    for (const json of [{ completedDays: 'seven' }, { forever: true }, [1]]) {
      const bad = await server.request('PUT', `/durabletask/retention`, { json });
      assert.equal(bad.status, 400, JSON.stringify(json));
      assertErrorBody(bad);
    }
    const env = { TASKHUB_STORAGE: server.connectionString };
    const shown = await runTaskhub(['retention', 'get'], { env, cwd: server.directory });
    assert.equal(shown.code, 0, shown.stderr);
    const set = await runTaskhub(['retention', 'set', '--failed-days', '30'], { env, cwd: server.directory });
    assert.equal(set.code, 0, set.stderr);
    const refused = await runTaskhub(['retention', 'set', '--failed-days', 'many'], { env, cwd: server.directory });
    assert.equal(refused.code, 2, refused.stderr);
    // A new policy reaches the running retention instance as an event: GET shows it once the worker took it up.
    await eventually('the new policy in force', async () => {
      const current = await server.request('GET', `${BASE}/retention`);
      return JSON.stringify(current.body.policy) === JSON.stringify({ failedDays: 30 }) ? true : undefined;
    });
  });
});
