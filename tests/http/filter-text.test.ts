/**
 * The text filters (`name`, `instanceIdPrefix`) with a NUL byte, another control character
 * or a hidden one are 400 with a message naming the filter on every route that takes them, on both stores
 * (PostgreSQL cannot hold NUL in text and answered 500; SQLite matched nothing and answered 200). JSON
 * payloads holding U+0000 are data, stored escaped, and round-trip.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, countAll, startTestServer, waitForStatus, type TestServer } from './http-harness.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const BAD_TEXTS = ['\u0000', 'a\u0000b', 'x\u001F', '\u202Eevil', 'bom\uFEFF'];
const FILTERS = [
  ['name', 'the name filter'],
  ['instanceIdPrefix', 'the instanceIdPrefix filter'],
] as const;

describe('text filters with control or hidden characters', () => {
  test('are 400 on list, counts, histogram and purge, and nothing is purged', async () => {
    const id = 'filter-text-done';
    await server.client.startNew('HelloWorld', { instanceId: id, input: 'x' });
    await waitForStatus(server.client, id, (status) => status === 'Completed');
    const before = await countAll(server.client);
    for (const [parameter, label] of FILTERS) {
      for (const text of BAD_TEXTS) {
        const value = encodeURIComponent(text);
        for (const [method, route] of [
          ['GET', `${BASE}/instances?${parameter}=${value}`],
          ['GET', `${BASE}/instances?${parameter}=${value}&showInput=false&top=5`],
          ['GET', `${BASE}/counts?${parameter}=${value}`],
          ['GET', `${BASE}/histogram?${parameter}=${value}`],
          ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&${parameter}=${value}`],
        ] as const) {
          const answer = await server.request(method, route);
          assert.equal(answer.status, 400, `${method} ${route}`);
          assert.match(assertErrorBody(answer), new RegExp(`^${label} '.*' contains (a control character|an invisible or bidirectional formatting character) \\(U\\+[0-9A-F]{4}\\)$`), `${method} ${route}`);
        }
      }
    }
    assert.equal(await countAll(server.client), before);
  });

  test('that are plain still filter', async () => {
    const listed = await server.request('GET', `${BASE}/instances?name=HelloWorld&instanceIdPrefix=filter-text-`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.map((entry: { instanceId: string }) => entry.instanceId), ['filter-text-done']);
  });

  test('U+0000 inside JSON input and event data is data: accepted and returned as sent', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/Approval/nul-data`, { json: { timeoutSeconds: 3600, note: 'a\u0000b' } });
    assert.equal(started.status, 202);
    await waitForStatus(server.client, 'nul-data', (status) => status === 'Running');
    const raised = await server.request('POST', `${BASE}/instances/nul-data/raiseEvent/Approval`, { json: 'yes\u0000no' });
    assert.equal(raised.status, 202);
    const done = await server.client.waitForCompletion('nul-data', { retryIntervalInMilliseconds: 20 });
    assert.deepEqual(done.input, { timeoutSeconds: 3600, note: 'a\u0000b' });
    assert.deepEqual(done.output, { outcome: 'approved', data: 'yes\u0000no' });
  });
});
