/**
 * Body limits and body formats (T19, S-HTTP): a JSON payload at the limit is taken, one byte over is 413
 * before anything changes (multi-byte UTF-8 counted in bytes); a raw body over twice the limit is refused
 * unread; malformed JSON is 400 and a non-JSON content type 415.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, countAll, startTestServer, waitingApproval, type TestServer } from './http-harness.js';

const LIMIT = 1000;
/** A JSON string whose compact encoding is exactly `bytes` UTF-8 bytes, using `unit` (1, 2 or 3 bytes) as filler. */
function jsonStringOf(bytes: number, unit: string): string {
  const unitBytes = Buffer.byteLength(unit);
  const fillerBytes = bytes - 2;
  const value = unit.repeat(Math.floor(fillerBytes / unitBytes)) + 'a'.repeat(fillerBytes % unitBytes);
  assert.equal(Buffer.byteLength(JSON.stringify(value)), bytes);
  return value;
}

let server: TestServer;
before(async () => {
  server = await startTestServer({ maxPayloadBytes: LIMIT });
});
after(async () => {
  await server.close();
});

describe('payload size limit', () => {
  test('start input: limit−1 and limit are started, limit+1 is 413 and nothing is started', async () => {
    for (const unit of ['a', 'é', '€']) {
      for (const bytes of [LIMIT - 1, LIMIT]) {
        const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { json: jsonStringOf(bytes, unit) });
        assert.equal(answer.status, 202, `${bytes} bytes of ${unit}`);
      }
      const before = await countAll(server.client);
      const over = await server.request('POST', `${BASE}/orchestrators/HelloWorld/over-limit`, { json: jsonStringOf(LIMIT + 1, unit) });
      assert.equal(over.status, 413, `${LIMIT + 1} bytes of ${unit}`);
      assert.match(assertErrorBody(over), new RegExp(`the orchestration input is ${LIMIT + 1} bytes of JSON, over the limit of ${LIMIT} bytes`));
      assert.equal(await countAll(server.client), before);
      assert.equal(await server.client.getStatus('over-limit'), undefined);
    }
  });

  test('event data: limit is delivered, limit+1 is 413 and not delivered', async () => {
    const id = await waitingApproval(server.client);
    const history = await server.client.getHistory(id);
    const over = await server.request('POST', `${BASE}/instances/${id}/raiseEvent/Approval`, { json: jsonStringOf(LIMIT + 1, 'é') });
    assert.equal(over.status, 413);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await server.client.getHistory(id), history);
    const atLimit = await server.request('POST', `${BASE}/instances/${id}/raiseEvent/Approval`, { json: jsonStringOf(LIMIT - 2 - 30, 'é') });
    assert.equal(atLimit.status, 202);
    const status = await server.client.waitForCompletion(id, { retryIntervalInMilliseconds: 20 });
    assert.equal((status.output as { outcome: string }).outcome, 'approved');
  });

  test('the limit is on compact JSON: pretty-printed input within it is taken', async () => {
    const value = { list: Array.from({ length: 70 }, (_, i) => i) };
    const pretty = JSON.stringify(value, null, 8);
    const prettyBytes = Buffer.byteLength(pretty);
    assert.ok(prettyBytes > LIMIT && prettyBytes <= 2 * LIMIT && Buffer.byteLength(JSON.stringify(value)) <= LIMIT, `${prettyBytes}`);
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: pretty, headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 202);
  });

  test('a raw body over twice the limit is 413 unread', async () => {
    const before = await countAll(server.client);
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: ' '.repeat(2 * LIMIT + 1), headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 413);
    assert.match(assertErrorBody(answer), new RegExp(`larger than ${2 * LIMIT} bytes`));
    assert.equal(await countAll(server.client), before);
  });
});

describe('body format', () => {
  test('400 for malformed JSON on every route that takes a body', async () => {
    const id = await waitingApproval(server.client);
    for (const path of [`${BASE}/orchestrators/HelloWorld`, `/orchestrators/HelloWorld`, `/orchestrators/HelloWorld/wait`, `${BASE}/instances/${id}/raiseEvent/Approval`]) {
      for (const raw of ['{', '[1,]', "{'a':1}", 'undefined', 'NaN', '"unterminated', '{"a":1}}', '\u0000']) {
        const answer = await server.request('POST', path, { raw, headers: { 'content-type': 'application/json; charset=utf-8' } });
        assert.equal(answer.status, 400, `${path} ${JSON.stringify(raw)}`);
        assert.match(assertErrorBody(answer), /not valid JSON/);
      }
    }
    assert.equal((await server.client.getStatus(id))?.runtimeStatus, 'Running');
    await server.client.terminate(id);
  });

  test('415 for a body that is not declared as JSON; a bodiless POST needs no content type', async () => {
    const declared: Record<string, string>[] = [{ 'content-type': 'text/plain' }, { 'content-type': 'application/octet-stream' }, { 'content-type': 'application/jsonx' }, {}];
    for (const headers of declared) {
      const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: '"x"', headers });
      assert.equal(answer.status, 415, JSON.stringify(headers));
    }
    assert.equal((await server.request('POST', `${BASE}/orchestrators/HelloWorld`)).status, 202);
  });

  test('a JSON body with __proto__ keys is stored as given, not merged into anything', async () => {
    const raw = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}';
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw, headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 202);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const stored = await server.taskHub.backend.getInstance(server.client.hub, answer.body.id, { includeInput: true });
    assert.equal(stored?.input, raw);
  });
});
