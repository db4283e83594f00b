/** S-HTTP start route and the seed's sample starters, over real HTTP (S-START-3/4/5, S-WAIT-1, S-PAYLOAD-1, T12). */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, countAll, startTestServer, waitForStatus, type TestServer } from './http-harness.js';

const PAYLOAD_KEYS = [
  'id',
  'statusQueryGetUri',
  'sendEventPostUri',
  'terminatePostUri',
  'rewindPostUri',
  'purgeHistoryDeleteUri',
  'restartPostUri',
  'suspendPostUri',
  'resumePostUri',
];

let server: TestServer;

/** The raw answer to a POST that carries no Host header: HTTP/1.0 as `curl -0 -H 'Host:'` sends it, or HTTP/1.1. */
function postWithoutHost(url: string, path: string, version = '1.0'): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(`POST ${path} HTTP/${version}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('POST /runtime/webhooks/durabletask/orchestrators/{name}[/{instanceId}]', () => {
  test('202 with the check-status body, Location and Retry-After: 10, URLs on the request origin', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { json: 'Tokyo' });
    assert.equal(answer.status, 202);
    assert.deepEqual(Object.keys(answer.body), PAYLOAD_KEYS);
    const id = answer.body.id as string;
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(answer.headers['retry-after'], '10');
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const statusUri = `${server.url}${BASE}/instances/${id}?taskHub=DurableFunctionsHub&connection=TASKHUB_STORAGE`;
    assert.equal(answer.body.statusQueryGetUri, statusUri);
    assert.equal(answer.headers.location, statusUri);
    assert.equal(answer.body.purgeHistoryDeleteUri, statusUri);
    assert.equal(
      answer.body.sendEventPostUri,
      `${server.url}${BASE}/instances/${id}/raiseEvent/{eventName}?taskHub=DurableFunctionsHub&connection=TASKHUB_STORAGE`,
    );
    assert.equal(answer.body.terminatePostUri, `${server.url}${BASE}/instances/${id}/terminate?reason={text}&taskHub=DurableFunctionsHub&connection=TASKHUB_STORAGE`);
    const status = await server.client.waitForCompletion(id, { retryIntervalInMilliseconds: 20 });
    assert.equal(status.output, 'Hello Tokyo!');
  });

  test('management URLs follow the Host the caller used', async () => {
    // Without an API key only loopback names are answered (tests/http/cross-site.test.ts has the others).
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { headers: { host: 'localhost:8443' } });
    assert.equal(answer.status, 202);
    for (const key of PAYLOAD_KEYS.slice(1)) assert.ok(answer.body[key].startsWith(`http://localhost:8443${BASE}/instances/`), key);
  });

  test('400 for a bad or missing Host header, and nothing is started (the URLs would be built on it)', async () => {
    const before = await countAll(server.client);
    const paths = [
      `${BASE}/orchestrators/HelloWorld`,
      `${BASE}/orchestrators/HelloWorld/bad-host`,
      `${BASE}/orchestrators/HelloWorld?timeout=5`,
      '/orchestrators/HelloWorld',
      '/orchestrators/HelloWorld/wait?timeout=5',
    ];
    for (const host of ['a b', 'example.test/path', 'user@example.test', 'example.test:99999', 'a%20b']) {
      for (const path of paths) {
        const answer = await server.request('POST', path, { headers: { host } });
        assert.equal(answer.status, 400, `${host} ${path}`);
        assert.match(assertErrorBody(answer), /the Host header .* is not a host name with an optional port/);
      }
    }
    // HTTP/1.0 may leave Host out (curl -0 -H 'Host:'); HTTP/1.1 must not (RFC 9112), and either gets a JSON 400.
    for (const path of paths) {
      const answer = await postWithoutHost(server.url, path);
      assert.match(answer, /^HTTP\/1\.1 400 /, path);
      assert.match(answer, /\{"error":"cannot build management URLs: the request has neither an absolute URL nor a Host header/, path);
      const http11 = await postWithoutHost(server.url, path, '1.1');
      assert.match(http11, /^HTTP\/1\.1 400 /, path);
      assert.match(http11, /\{"error":"the request has no Host header, which HTTP\/1\.1 requires"\}/, path);
    }
    assert.equal(await countAll(server.client), before);
    assert.equal(await server.client.getStatus('bad-host'), undefined);
  });

  test('with an instance id: 202; 409 while that instance runs (S-START-4); a finished one is replaced', async () => {
    const first = await server.request('POST', `${BASE}/orchestrators/Approval/start-409`, { json: { timeoutSeconds: 3600 } });
    assert.equal(first.status, 202);
    assert.equal(first.body.id, 'start-409');
    const taken = await server.request('POST', `${BASE}/orchestrators/HelloWorld/start-409`);
    assert.equal(taken.status, 409);
    assert.match(assertErrorBody(taken), /start-409.*already exists/);

    await server.client.terminate('start-409', 'make room');
    await waitForStatus(server.client, 'start-409', (status) => status === 'Terminated');
    const replaced = await server.request('POST', `${BASE}/orchestrators/HelloWorld/start-409`, { json: 'again' });
    assert.equal(replaced.status, 202);
    const status = await server.client.waitForCompletion('start-409', { retryIntervalInMilliseconds: 20 });
    assert.equal(status.name, 'HelloWorld');
    assert.equal(status.output, 'Hello again!');
  });

  test('100 concurrent starts of one id: exactly one 202, every other caller 409 (T12)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => server.request('POST', `${BASE}/orchestrators/Approval/same-id-race`, { json: { timeoutSeconds: 3600 } })),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 202).length, 1);
    assert.equal(statuses.filter((status) => status === 409).length, 99);
    await waitForStatus(server.client, 'same-id-race', (status) => status === 'Running');
    const history = await server.client.getHistory('same-id-race');
    assert.equal(history.filter((event) => event.type === 'ExecutionStarted').length, 1);
    assert.equal((await server.client.listInstances({ instanceIdPrefix: 'same-id-race' })).instances.length, 1);
    await server.client.terminate('same-id-race');
  });

  test('?timeout: 200 with the output when the instance finishes in time', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/E1_HelloSequence?timeout=20&pollingInterval=0.1`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  test('?timeout: a string output is sent as JSON', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld?timeout=20`, { json: 'Lima' });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '"Hello Lima!"');
  });

  test('?timeout shorter than the poll floor: the wait still ends at its timeout', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/Sleep?timeout=0.05`, { json: 60 });
    assert.equal(answer.status, 202);
    await server.client.terminate(answer.body.id);
  });

  test('?timeout: 202 check-status when the instance is still running at the deadline', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/Sleep?timeout=0.2&pollingInterval=0.1`, { json: 60 });
    assert.equal(answer.status, 202);
    assert.equal(answer.headers.location, answer.body.statusQueryGetUri);
    await server.client.terminate(answer.body.id);
  });

  test('?timeout: a Failed instance answers 500 with its status (S-WAIT-1)', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/AlwaysFails?timeout=20&pollingInterval=0.1`);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.runtimeStatus, 'Failed');
    assert.match(JSON.stringify(answer.body.output), /boom/);
  });

  test('?timeout: an instance terminated meanwhile answers 200 with its Terminated status (S-WAIT-1)', async () => {
    const waiting = server.request('POST', `${BASE}/orchestrators/Approval/wait-terminated?timeout=20&pollingInterval=0.1`, {
      json: { timeoutSeconds: 3600 },
    });
    await waitForStatus(server.client, 'wait-terminated', (status) => status === 'Running');
    const terminated = await server.request('POST', `${BASE}/instances/wait-terminated/terminate?reason=stop%20waiting`);
    assert.equal(terminated.status, 202);
    const answer = await waiting;
    assert.equal(answer.status, 200);
    assert.equal(answer.body.instanceId, 'wait-terminated');
    assert.equal(answer.body.runtimeStatus, 'Terminated');
    assert.equal(answer.body.output, 'stop waiting');
  });

  test('400 for an unknown orchestrator, a bad instance id or bad wait parameters, and nothing is started', async () => {
    const before = await countAll(server.client);
    const cases: [string, RegExp][] = [
      [`${BASE}/orchestrators/NoSuchOrchestrator`, /orchestrator 'NoSuchOrchestrator' is not registered/],
      [`${BASE}/orchestrators/HelloWorld/@reserved`, /must not start with '@'/],
      [`${BASE}/orchestrators/HelloWorld/a%2Fb`, /contains the character '\/'/],
      [`${BASE}/orchestrators/HelloWorld/a%23b`, /contains the character '#'/],
      [`${BASE}/orchestrators/HelloWorld/a%3Fb`, /contains the character '\?'/],
      [`${BASE}/orchestrators/HelloWorld/a%00b`, /U\+0000/],
      [`${BASE}/orchestrators/HelloWorld/${'x'.repeat(257)}`, /1 to 256 characters/],
      [`${BASE}/orchestrators/HelloWorld?timeout=1&pollingInterval=2`, /pollingInterval \(2 s\) must not be longer than timeout/],
      [`${BASE}/orchestrators/HelloWorld?timeout=abc`, /query parameter 'timeout' must be number/],
      [`${BASE}/orchestrators/HelloWorld?timeout=-1`, /query parameter 'timeout' must be >= 0/],
      [`${BASE}/orchestrators/HelloWorld?timeout=601`, /query parameter 'timeout' must be <= 600/],
      [`${BASE}/orchestrators/HelloWorld?timeout=Infinity`, /query parameter 'timeout' must be a finite number/],
      [`${BASE}/orchestrators/HelloWorld?timeout=1&pollingInterval=-Infinity`, /query parameter 'pollingInterval' must be a finite number/],
      [`${BASE}/orchestrators/HelloWorld?timeout=1&pollingInterval=0`, /query parameter 'pollingInterval' must be >= 0\.1/],
      [`${BASE}/orchestrators/HelloWorld?timeout=1&pollingInterval=0.000001`, /query parameter 'pollingInterval' must be >= 0\.1/],
      [`${BASE}/orchestrators/HelloWorld?timeout=1&pollingInterval=0.099`, /query parameter 'pollingInterval' must be >= 0\.1/],
      [`/orchestrators/HelloWorld/wait?timeout=1&retryInterval=0.000001`, /query parameter 'retryInterval' must be >= 0\.1/],
      [`${BASE}/orchestrators/HelloWorld?taskHub=1bad`, /task hub name '1bad' is invalid/],
      [`${BASE}/orchestrators/HelloWorld/%E0%A4%A`, /malformed percent-encoding/],
    ];
    for (const [path, message] of cases) {
      const answer = await server.request('POST', path);
      assert.equal(answer.status, 400, path);
      assert.match(assertErrorBody(answer), message, path);
    }
    assert.equal(await countAll(server.client), before);
  });

  test('400 for malformed JSON, 415 for a body that is not JSON, and nothing is started', async () => {
    const before = await countAll(server.client);
    const malformed = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.match(assertErrorBody(malformed), /not valid JSON/);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
      const answer = await server.request('POST', `${BASE}/orchestrators/HelloWorld`, { raw: '"Tokyo"', headers: { 'content-type': contentType } });
      assert.equal(answer.status, 415, contentType);
      assert.match(assertErrorBody(answer), /Content-Type: application\/json/);
    }
    assert.equal(await countAll(server.client), before);
  });
});

describe('sample routes: POST /orchestrators/{functionName}[/{instanceId}] and /wait', () => {
  test("the seed's command: POST /orchestrators/E1_HelloSequence/wait?timeout=2&retryInterval=0.5 → 200 and the greetings", async () => {
    const answer = await server.request('POST', '/orchestrators/E1_HelloSequence/wait?timeout=2&retryInterval=0.5');
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json; charset=utf-8/);
    assert.deepEqual(answer.body, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  test('POST /orchestrators/{functionName} answers the check-status response', async () => {
    const answer = await server.request('POST', '/orchestrators/HelloWorld', { json: 'Seattle' });
    assert.equal(answer.status, 202);
    assert.equal(answer.headers['retry-after'], '10');
    assert.equal(answer.headers.location, `${server.url}${BASE}/instances/${answer.body.id}?taskHub=DurableFunctionsHub&connection=TASKHUB_STORAGE`);
    assert.equal((await server.client.waitForCompletion(answer.body.id, { retryIntervalInMilliseconds: 20 })).output, 'Hello Seattle!');
  });

  test('POST /orchestrators/{functionName}/{instanceId} starts under that id; 409 while it runs', async () => {
    const answer = await server.request('POST', '/orchestrators/Approval/sample-id', { json: { timeoutSeconds: 3600 } });
    assert.equal(answer.status, 202);
    assert.equal(answer.body.id, 'sample-id');
    const again = await server.request('POST', '/orchestrators/Approval/sample-id');
    assert.equal(again.status, 409);
    await server.client.terminate('sample-id');
  });

  test('`wait` is reserved: /orchestrators/{name}/wait is the waiting starter, never an instance id', async () => {
    const answer = await server.request('POST', '/orchestrators/HelloWorld/wait?timeout=0');
    assert.equal(answer.status, 202);
    assert.notEqual(answer.body.id, 'wait');
    assert.equal(await server.client.getStatus('wait'), undefined);
  });

  test('/wait answers 202 check-status when the deadline passes first', async () => {
    const answer = await server.request('POST', '/orchestrators/Sleep/wait?timeout=0.3&retryInterval=0.1', { json: 60 });
    assert.equal(answer.status, 202);
    assert.equal(answer.headers.location, answer.body.statusQueryGetUri);
    await server.client.terminate(answer.body.id);
  });

  test('400 on the sample routes for an unknown name, retryInterval > timeout, or a bad number; nothing started', async () => {
    const before = await countAll(server.client);
    for (const path of [
      '/orchestrators/Nope',
      '/orchestrators/Nope/wait',
      '/orchestrators/HelloWorld/wait?timeout=1&retryInterval=2',
      '/orchestrators/HelloWorld/wait?retryInterval=NaN',
      '/orchestrators/HelloWorld/%40x',
    ]) {
      const answer = await server.request('POST', path);
      assert.equal(answer.status, 400, path);
      assertErrorBody(answer);
    }
    assert.equal(await countAll(server.client), before);
  });
});
