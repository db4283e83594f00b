/** Tags over real HTTP: `tag=key:value` on the start routes and as a filter of lists, counts and purges. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_TAG_VALUE_LENGTH, MAX_TAGS } from '../../src/core/tags.js';
import { BASE, assertErrorBody, countAll, startTestServer, waitForStatus, type TestServer } from './http-harness.js';

const ALL_ZERO = { Pending: 0, Running: 0, Completed: 0, ContinuedAsNew: 0, Failed: 0, Terminated: 0, Suspended: 0 };

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

async function startTagged(name: string, id: string, tags: string[], input: unknown = 'x'): Promise<void> {
  const query = tags.map((tag) => `tag=${encodeURIComponent(tag)}`).join('&');
  const answer = await server.request('POST', `${BASE}/orchestrators/${name}/${id}?${query}`, { json: input });
  assert.equal(answer.status, 202, answer.text);
  await waitForStatus(server.client, id, (status) => status === 'Completed');
}

describe('tags over HTTP', () => {
  test('a start takes repeated tag=key:value; the status shows them, {} when there are none', async () => {
    await startTagged('HelloWorld', 'tag-acme-1', ['tenant:acme', 'region:eu:west']);
    const status = await server.request('GET', `${BASE}/instances/tag-acme-1`);
    assert.deepEqual(status.body.tags, { region: 'eu:west', tenant: 'acme' }, 'split at the first colon');
    await startTagged('HelloWorld', 'tag-none', []);
    assert.deepEqual((await server.request('GET', `${BASE}/instances/tag-none`)).body.tags, {});
  });

  test('lists, counts and purges filter on tags, all of them, with the other filters', async () => {
    await startTagged('HelloWorld', 'tag-acme-2', ['tenant:acme', 'tier:gold']);
    await startTagged('HelloWorld', 'tag-bolt-1', ['tenant:bolt', 'tier:gold']);
    const listed = async (query: string) => ((await server.request('GET', `${BASE}/instances?${query}`)).body as { instanceId: string }[]).map((s) => s.instanceId).sort();
    assert.deepEqual(await listed('tag=tenant:acme'), ['tag-acme-1', 'tag-acme-2']);
    assert.deepEqual(await listed('tag=tenant:acme&tag=tier:gold'), ['tag-acme-2']);
    assert.deepEqual(await listed('tag=tier:gold&instanceIdPrefix=tag-bolt'), ['tag-bolt-1']);
    assert.deepEqual(await listed('tag=tier:gold&runtimeStatus=Running'), []);
    const listedPage = await server.request('GET', `${BASE}/instances?tag=tier:gold&top=1`);
    assert.equal((listedPage.body as unknown[]).length, 1);
    assert.ok(listedPage.headers['x-ms-continuation-token'], 'pages on');

    assert.deepEqual((await server.request('GET', `${BASE}/counts?tag=tier:gold`)).body, { ...ALL_ZERO, Completed: 2 });
    const purged = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&tag=tenant:acme`);
    assert.equal(purged.status, 200, purged.text);
    assert.deepEqual(purged.body, { instancesDeleted: 2 });
    assert.deepEqual(await listed('tag=tier:gold'), ['tag-bolt-1']);
  });

  test('bad tags are a 400 with a message, and nothing is started', async () => {
    const before = await countAll(server.client);
    const tooMany = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `tag=k${i}:v`).join('&');
    const cases = ['tag=novalue', 'tag=:v', `tag=k:${'x'.repeat(MAX_TAG_VALUE_LENGTH + 1)}`, 'tag=k:a&tag=k:b', tooMany, 'tag=k:%00'];
    for (const query of cases) {
      const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld?${query}`, { json: 'x' });
      assert.equal(answer.status, 400, `${query.slice(0, 40)}: ${answer.text}`);
      assertErrorBody(answer);
      const listed = await server.request('GET', `${BASE}/instances?${query}`);
      assert.equal(listed.status, 400, `list ${query.slice(0, 40)}`);
    }
    assert.equal(await countAll(server.client), before);
  });

  test('showHistory shows what each TagsChanged set and removed, and the tags the execution started with', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/TaggedOrder/tag-history?tag=tenant:acme`);
    assert.equal(started.status, 202, started.text);
    await waitForStatus(server.client, 'tag-history', (status) => status === 'Running');
    await server.client.raiseEvent('tag-history', 'Paid', { amount: 5 });
    await waitForStatus(server.client, 'tag-history', (status) => status === 'Completed');
    const answer = await server.request('GET', `${BASE}/instances/tag-history?showHistory=true`);
    assert.equal(answer.status, 200, answer.text);
    const history = answer.body.historyEvents as Record<string, unknown>[];
    assert.deepEqual(history.find((event) => event.EventType === 'ExecutionStarted')?.Tags, { tenant: 'acme' });
    const changes = history.filter((event) => event.EventType === 'TagsChanged').map(({ TagsSet, TagsRemoved }) => ({ TagsSet, TagsRemoved }));
    assert.deepEqual(changes, [
      { TagsSet: { stage: 'awaiting-payment' }, TagsRemoved: [] },
      { TagsSet: { paid: 'yes' }, TagsRemoved: ['stage'] },
    ]);
    assert.deepEqual(answer.body.tags, { paid: 'yes', tenant: 'acme' });
  });
});
