/**
 * Error bodies by Accept header: JSON `{ error }` unless the caller names text/plain at least as highly as
 * JSON (Durable Functions' clients send axios's default Accept header, which names both); then the
 * message as plain text, and an empty 404 for an unknown instance's status, as Durable Functions answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errorMediaType } from '../../src/http/error-media-type.js';
import { BASE, assertErrorBody, finishedInstance, startTestServer, type TestServer } from './http-harness.js';

/** What axios (0.21 in durable-functions 1.x, 1.x in 3.x) sends by default. */
const AXIOS_ACCEPT = 'application/json, text/plain, */*';

describe('errorMediaType', () => {
  test('plain text only when text/plain is named, with a quality at least that of JSON', () => {
    const cases: [string | undefined, 'json' | 'text'][] = [
      [undefined, 'json'],
      ['', 'json'],
      ['*/*', 'json'],
      ['application/json', 'json'],
      ['text/*', 'json'],
      ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
      [AXIOS_ACCEPT, 'text'],
      ['text/plain', 'text'],
      ['TEXT/PLAIN; charset=utf-8', 'text'],
      ['text/plain, application/json;q=0.9', 'text'],
      ['application/json, text/plain;q=0.5', 'json'],
      ['text/plain;q=0.5, */*;q=0.1', 'text'],
      ['text/plain;q=0', 'json'],
      ['text/plain;q=oops', 'json'],
    ];
    for (const [accept, expected] of cases) assert.equal(errorMediaType(accept), expected, String(accept));
  });
});

describe('error bodies over HTTP', () => {
  let server: TestServer;
  let completed: string;
  before(async () => {
    server = await startTestServer();
    completed = await finishedInstance(server.client, 'HelloWorld', 'negotiated');
  });
  after(async () => {
    await server.close();
  });

  const asText = { headers: { accept: AXIOS_ACCEPT } };

  test('the same failures as plain text for a caller that names text/plain: 400, 404, 409, 410, 415, 501 and an unknown route', async () => {
    const cases: [string, string, number, RegExp][] = [
      ['POST', `${BASE}/orchestrators/Nope`, 400, /^orchestrator 'Nope' is not registered$/],
      ['GET', `${BASE}/instances?top=0`, 400, /^query parameter 'top' must be >= 1$/],
      ['POST', `${BASE}/instances/nobody-home/rewind?reason=x`, 404, /^no instance with id 'nobody-home' in this task hub$/],
      ['POST', `${BASE}/instances/${completed}/rewind`, 409, /^cannot rewind instance '.+': it is Completed, and only Failed instances can be$/],
      ['POST', `${BASE}/instances/${completed}/terminate`, 410, /already finished \(Completed\)$/],
      ['GET', `${BASE}/entities/Counter/k`, 501, /^durable entities are not supported$/],
      ['GET', '/no/such/route', 404, /^there is no route GET \/no\/such\/route/],
    ];
    for (const [method, path, status, message] of cases) {
      const text = await server.request(method, path, asText);
      assert.equal(text.status, status, `${method} ${path}`);
      assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
      assert.match(text.text, message);
      const json = await server.request(method, path);
      assert.equal(json.status, status);
      assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(assertErrorBody(json), text.text, 'the same message either way');
    }
    const wrongType = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: 'x', headers: { 'content-type': 'text/plain', accept: AXIOS_ACCEPT } });
    assert.equal(wrongType.status, 415);
    assert.match(wrongType.text, /^send the body as JSON/);
  });

  test("an unknown instance's status: an empty 404 for a plain-text caller (Durable Functions' answer), the JSON error otherwise", async () => {
    const text = await server.request('GET', `${BASE}/instances/nobody-home`, asText);
    assert.equal(text.status, 404);
    assert.equal(text.text, '');
    const json = await server.request('GET', `${BASE}/instances/nobody-home`);
    assert.equal(json.status, 404);
    assert.match(assertErrorBody(json), /no instance with id 'nobody-home'/);
  });

  test('successful answers do not change with the Accept header', async () => {
    const text = await server.request('GET', `${BASE}/instances/${completed}`, asText);
    assert.equal(text.status, 200);
    assert.equal(text.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(text.body.output, 'Hello negotiated!');
  });
});
