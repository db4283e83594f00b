/**
 * T22 over HTTP: odd but allowed instance ids and event names round-trip exactly through start, get, raise
 * event, terminate, list and purge; forbidden ones are 400 on every route, with nothing changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/polling.js';
import { BASE, assertErrorBody, countAll, send, startTestServer, waitForStatus, type TestServer } from './http-harness.js';

const ALLOWED_IDS = [
  "a'b",
  'a"b',
  'x; DROP TABLE t',
  "'; DELETE FROM instances; --",
  'שלום עולם',
  'with space',
  '%2F',
  'a%b',
  'a+b&c=d',
  '<img src=x onerror=alert(1)>',
  '🚀 launch',
  'e\u0301',
  '..',
  'x'.repeat(256),
];

const FORBIDDEN_IDS = ['a/b', 'a\\b', '#', 'a?b', '../x', '\u0000', 'a\u007Fb', '\u009F', '@lead', 'x'.repeat(257)];
/** Invisible or bidirectional formatting characters: ids that differ only by them would look alike. */
const HIDDEN_CHARACTER_IDS = ['\u202Eevil\u202C', '\uFEFFbom', 'zero\u200Bwidth', 'join\u200Ded', 'iso\u2066late\u2069', 'soft\u00ADhyphen', 'line\u2028break', 'tag\u{E0041}'];

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const path = (id: string) => `${BASE}/instances/${encodeURIComponent(id)}`;

describe('odd but allowed instance ids round-trip', () => {
  for (const id of ALLOWED_IDS) {
    test(JSON.stringify(id.length > 40 ? `${id.slice(0, 20)}… (${id.length})` : id), async () => {
      const started = await server.request('POST', `${BASE}/orchestrators/Approval/${encodeURIComponent(id)}`, { json: { timeoutSeconds: 3600 } });
      assert.equal(started.status, 202);
      assert.equal(started.body.id, id);
      // Split by hand: WHATWG URL parsing would resolve an id of '..' as a path segment (see docs/http-api.md).
      assert.equal(decodeURIComponent(started.body.statusQueryGetUri.split('?')[0].split('/').pop()), id);

      const status = await send(server.url, 'GET', started.body.statusQueryGetUri);
      assert.equal(status.body.instanceId, id);
      const listed = await server.request('GET', `${BASE}/instances?instanceIdPrefix=${encodeURIComponent(id)}`);
      assert.ok(listed.body.some((entry: { instanceId: string }) => entry.instanceId === id));

      await waitForStatus(server.client, id, (runtimeStatus) => runtimeStatus === 'Running');
      assert.equal((await server.request('POST', `${path(id)}/raiseEvent/Approval`, { json: id })).status, 202);
      const done = await server.client.waitForCompletion(id, { retryIntervalInMilliseconds: 20 });
      assert.deepEqual(done.output, { outcome: 'approved', data: id });

      assert.equal((await server.request('POST', `${BASE}/orchestrators/Approval/${encodeURIComponent(id)}`, { json: { timeoutSeconds: 3600 } })).status, 202);
      assert.equal((await server.request('POST', `${path(id)}/terminate?reason=${encodeURIComponent(id)}`)).status, 202);
      await waitForStatus(server.client, id, (runtimeStatus) => runtimeStatus === 'Terminated');
      assert.equal((await server.client.getStatus(id))?.output, id);

      const purged = await server.request('DELETE', path(id));
      assert.deepEqual(purged.body, { instancesDeleted: 1 });
      assert.equal((await server.request('GET', path(id))).status, 404);
    });
  }

  test('odd event names reach the history exactly', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/Approval`, { json: { timeoutSeconds: 3600 } });
    const id = started.body.id as string;
    const names = ["a'b", 'x; DROP TABLE t', 'שלום', 'with space', 'a/b#c?d'];
    for (const name of names) assert.equal((await server.request('POST', `${path(id)}/raiseEvent/${encodeURIComponent(name)}`, { json: name })).status, 202);
    const raisedNames = async () =>
      (await server.client.getHistory(id)).filter((event) => event.type === 'EventRaised').map((event) => (event as { name: string }).name);
    // Events that reach a step together with a termination are dropped with it, so all are in before it.
    await eventually('every event in the history', async () => ((await raisedNames()).length === names.length ? true : undefined));
    assert.deepEqual(await raisedNames(), names);
    await server.client.terminate(id);
    await waitForStatus(server.client, id, (runtimeStatus) => runtimeStatus === 'Terminated');
    assert.deepEqual(await raisedNames(), names);
  });
});

describe('forbidden instance ids are 400 on every route', () => {
  test('start, get, raise event, terminate, suspend, resume, rewind, restart, purge', async () => {
    const before = await countAll(server.client);
    for (const id of [...FORBIDDEN_IDS, ...HIDDEN_CHARACTER_IDS]) {
      const encoded = encodeURIComponent(id);
      for (const [method, route] of [
        ['POST', `${BASE}/orchestrators/HelloWorld/${encoded}`],
        ['POST', `/orchestrators/HelloWorld/${encoded}`],
        ['GET', `${BASE}/instances/${encoded}`],
        ['POST', `${BASE}/instances/${encoded}/raiseEvent/Approval`],
        ['POST', `${BASE}/instances/${encoded}/terminate`],
        ['POST', `${BASE}/instances/${encoded}/suspend`],
        ['POST', `${BASE}/instances/${encoded}/resume`],
        ['POST', `${BASE}/instances/${encoded}/rewind`],
        ['POST', `${BASE}/instances/${encoded}/restart`],
        ['DELETE', `${BASE}/instances/${encoded}`],
      ] as const) {
        const answer = await server.request(method, route);
        assert.equal(answer.status, 400, `${method} ${route}`);
        assert.match(assertErrorBody(answer), /instance id/, `${method} ${route}`);
      }
    }
    const loneSurrogate = await server.request('GET', `${BASE}/instances/a%ED%A0%80b`);
    assert.equal(loneSurrogate.status, 400);
    assertErrorBody(loneSurrogate);
    assert.equal(await countAll(server.client), before);
  });

  test('control and hidden characters in an event name are 400, and no event is stored', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/Approval`, { json: { timeoutSeconds: 3600 } });
    for (const name of ['a\u0000b', '\u001F', 'x\u0085', ...HIDDEN_CHARACTER_IDS]) {
      const answer = await server.request('POST', `${path(started.body.id)}/raiseEvent/${encodeURIComponent(name)}`, { json: 1 });
      assert.equal(answer.status, 400, JSON.stringify(name));
      assert.match(assertErrorBody(answer), /an event name '.*' contains (a control character|an invisible or bidirectional formatting character) \(U\+[0-9A-F]{4,5}\)/);
    }
    await server.client.terminate(started.body.id);
    await waitForStatus(server.client, started.body.id, (runtimeStatus) => runtimeStatus === 'Terminated');
    assert.equal((await server.client.getHistory(started.body.id)).some((event) => event.type === 'EventRaised'), false);
  });

  test('hidden characters in an orchestrator name are 400 on both start routes; the message shows them escaped', async () => {
    const before = await countAll(server.client);
    for (const route of [`${BASE}/orchestrators/`, '/orchestrators/']) {
      const answer = await server.request('POST', `${route}${encodeURIComponent('Hello\u202EWorld')}`);
      assert.equal(answer.status, 400, route);
      assert.equal(assertErrorBody(answer), "an orchestrator name 'Hello\\u202eWorld' contains an invisible or bidirectional formatting character (U+202E)");
    }
    assert.equal(await countAll(server.client), before);
  });

  test('a hidden character in the instance id is named in the message, escaped', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld/${encodeURIComponent('\uFEFFbom')}`);
    assert.equal(answer.status, 400);
    assert.match(assertErrorBody(answer), /^instance id '\\ufeffbom' contains the character U\+FEFF; /);
  });
});
