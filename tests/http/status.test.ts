/** S-HTTP `GET /instances/{id}` and `GET /instances`, over real HTTP (S-QUERY-1…4, S-LIST-1…3). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, HUB, assertErrorBody, finishedInstance, send, startTestServer, waitingApproval, type TestServer } from './http-harness.js';

const STATUS_KEYS = ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'failureDetails', 'createdTime', 'lastUpdatedTime', 'tags'];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('GET /runtime/webhooks/durabletask/instances/{instanceId}', () => {
  test('200 for a finished instance, with the S-HTTP status JSON (absent values null)', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld', 'Tokyo');
    const answer = await server.request('GET', `${BASE}/instances/${id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body), STATUS_KEYS);
    assert.equal(answer.body.name, 'HelloWorld');
    assert.equal(answer.body.instanceId, id);
    assert.equal(answer.body.runtimeStatus, 'Completed');
    assert.equal(answer.body.input, 'Tokyo');
    assert.equal(answer.body.customStatus, null);
    assert.equal(answer.body.output, 'Hello Tokyo!');
    assert.equal(answer.body.failureDetails, null);
    assert.match(answer.body.createdTime, ISO_UTC);
    assert.match(answer.body.lastUpdatedTime, ISO_UTC);
    assert.equal(answer.headers.location, undefined);
  });

  test('202 while the instance runs, with Location and Retry-After: 5', async () => {
    const id = await waitingApproval(server.client);
    const answer = await server.request('GET', `${BASE}/instances/${id}`);
    assert.equal(answer.status, 202);
    assert.equal(answer.body.runtimeStatus, 'Running');
    assert.equal(answer.body.customStatus, 'waiting-for-approval');
    assert.equal(answer.headers['retry-after'], '5');
    assert.equal(answer.headers.location, `${server.url}${BASE}/instances/${id}?taskHub=${HUB}&connection=TASKHUB_STORAGE`);
    await server.client.suspend(id);
    const suspended = await poll(id, (body) => body.runtimeStatus === 'Suspended');
    assert.equal(suspended.status, 202);
    await server.client.terminate(id);
  });

  test('the check-status flow: 202 from the start, poll Location until 200 with the output', async () => {
    const started = await server.request('POST', `${BASE}/orchestrators/Sleep`, { json: 0.3 });
    assert.equal(started.status, 202);
    let location = started.headers.location as string;
    let answer = await send(server.url, 'GET', location);
    const seen = [answer.status];
    while (answer.status === 202) {
      location = answer.headers.location as string;
      assert.equal(answer.headers['retry-after'], '5');
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await send(server.url, 'GET', location);
      seen.push(answer.status);
    }
    assert.equal(seen[0], 202, 'the first poll finds it running');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.runtimeStatus, 'Completed');
    assert.equal(answer.body.output, 'done');
  });

  test('404 for an unknown instance', async () => {
    const answer = await server.request('GET', `${BASE}/instances/no-such-instance`);
    assert.equal(answer.status, 404);
    assert.match(assertErrorBody(answer), /no instance with id 'no-such-instance'/);
  });

  test('Failed: 200 by default, 500 with returnInternalServerErrorOnFailure=true', async () => {
    const id = await finishedInstance(server.client, 'AlwaysFails');
    const plain = await server.request('GET', `${BASE}/instances/${id}`);
    assert.equal(plain.status, 200);
    assert.equal(plain.body.runtimeStatus, 'Failed');
    assert.deepEqual(Object.keys(plain.body), STATUS_KEYS);
    // S-QUERY-3: Durable Functions' message in output, the structured failure beside it.
    assert.equal(plain.body.output, "Orchestrator function 'AlwaysFails' failed: activity 'Boom' (task 0) failed: boom");
    assert.equal(plain.body.failureDetails.errorType, 'TaskFailedError');
    assert.equal(plain.body.failureDetails.errorMessage, "activity 'Boom' (task 0) failed: boom");
    assert.deepEqual([plain.body.failureDetails.innerFailure.errorType, plain.body.failureDetails.innerFailure.errorMessage], ['Error', 'boom']);
    assert.match(plain.body.failureDetails.innerFailure.stackTrace, /^Error: boom\n/);
    const flagged = await server.request('GET', `${BASE}/instances/${id}?returnInternalServerErrorOnFailure=true`);
    assert.equal(flagged.status, 500);
    assert.equal(flagged.body.runtimeStatus, 'Failed');
    const completed = await finishedInstance(server.client, 'HelloWorld');
    assert.equal((await server.request('GET', `${BASE}/instances/${completed}?returnInternalServerErrorOnFailure=true`)).status, 200);
  });

  test('showInput=false: "input": null, the key still there (S-QUERY-1)', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld', 'Oslo');
    const answer = await server.request('GET', `${BASE}/instances/${id}?showInput=false`);
    assert.deepEqual(Object.keys(answer.body), STATUS_KEYS);
    assert.equal(answer.body.input, null);
    assert.equal(answer.body.output, 'Hello Oslo!');
  });

  test('showHistory: historyEvents folded as in S-QUERY-4; Result only with showHistoryOutput', async () => {
    const id = await finishedInstance(server.client, 'E1_HelloSequence');
    const plain = await server.request('GET', `${BASE}/instances/${id}`);
    assert.equal('historyEvents' in plain.body, false);

    const answer = await server.request('GET', `${BASE}/instances/${id}?showHistory=true`);
    assert.equal(answer.status, 200);
    const events = answer.body.historyEvents as Record<string, unknown>[];
    assert.deepEqual(
      events.map((event) => event.EventType),
      ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
    );
    const task = events[1]!;
    assert.equal(task.FunctionName, 'E1_SayHello');
    assert.match(String(task.ScheduledTime), ISO_UTC);
    assert.match(String(task.Timestamp), ISO_UTC);
    assert.equal('Result' in task, false);
    assert.equal(events[0]!.FunctionName, 'E1_HelloSequence');

    const withOutput = await server.request('GET', `${BASE}/instances/${id}?showHistory=true&showHistoryOutput=true`);
    const outputs = (withOutput.body.historyEvents as Record<string, unknown>[]).map((event) => event.Result);
    assert.deepEqual(outputs.slice(1), ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!', ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']]);
  });

  test('400 for flags that are not true/false, and for a bad instance id', async () => {
    for (const path of [
      `${BASE}/instances/x?showHistory=yes`,
      `${BASE}/instances/x?showInput=1`,
      `${BASE}/instances/x?showHistory=true&showHistory=false`,
      `${BASE}/instances/%40x`,
      `${BASE}/instances/a%5Cb`,
    ]) {
      const answer = await server.request('GET', path);
      assert.equal(answer.status, 400, path);
      assertErrorBody(answer);
    }
  });
});

describe('GET /runtime/webhooks/durabletask/instances', () => {
  let listServer: TestServer;
  const ids: string[] = [];
  before(async () => {
    listServer = await startTestServer();
    for (let i = 0; i < 7; i++) ids.push(await finishedInstance(listServer.client, 'HelloWorld', `n${i}`, `list-${i}`));
    ids.push(await finishedInstance(listServer.client, 'AlwaysFails', undefined, 'other-failed'));
  });
  after(async () => {
    await listServer.close();
  });

  test('200 with a JSON array of statuses, inputs shown unless showInput=false (S-LIST-3, as Durable Functions)', async () => {
    const answer = await listServer.request('GET', `${BASE}/instances`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.length, 8);
    for (const status of answer.body) assert.deepEqual(Object.keys(status), STATUS_KEYS);
    assert.equal(answer.headers['x-ms-continuation-token'], undefined);
    const inputs = (query: string) => listServer.request('GET', `${BASE}/instances/?instanceIdPrefix=list-3${query}`);
    assert.deepEqual((await inputs('')).body.map((status: { input: unknown }) => status.input), ['n3']);
    assert.deepEqual((await inputs('&showInput=true')).body.map((status: { input: unknown }) => status.input), ['n3']);
    assert.deepEqual((await inputs('&showInput=false')).body.map((status: { input: unknown }) => status.input), [null]);
  });

  test('filters: runtimeStatus (comma list or repeated, any case), instanceIdPrefix, created time', async () => {
    const names = async (query: string) =>
      ((await listServer.request('GET', `${BASE}/instances?${query}`)).body as { instanceId: string }[]).map((s) => s.instanceId).sort();
    assert.deepEqual(await names('runtimeStatus=Failed'), ['other-failed']);
    assert.deepEqual(await names('runtimeStatus=failed,Running'), ['other-failed']);
    assert.deepEqual(await names('runtimeStatus=Pending&runtimeStatus=FAILED'), ['other-failed']);
    assert.equal((await names('runtimeStatus=Completed,Failed')).length, 8);
    assert.deepEqual(await names('instanceIdPrefix=list-1'), ['list-1']);
    assert.equal((await names('createdTimeFrom=2000-01-01&createdTimeTo=2999-12-31T00:00:00Z')).length, 8);
    assert.deepEqual(await names('createdTimeFrom=2999-01-01'), []);
    const status = await listServer.client.getStatus('list-4');
    assert.deepEqual(await names(`createdTimeFrom=${encodeURIComponent(status!.createdTime)}&createdTimeTo=${encodeURIComponent(status!.createdTime)}&instanceIdPrefix=list-`), ['list-4']);
  });

  test('top and x-ms-continuation-token: pages of `top`, the token in and out, every instance once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await listServer.request('GET', `${BASE}/instances?top=3`, { headers: token ? { 'x-ms-continuation-token': token } : {} });
      assert.equal(answer.status, 200);
      assert.ok(answer.body.length <= 3);
      seen.push(...answer.body.map((status: { instanceId: string }) => status.instanceId));
      token = answer.headers['x-ms-continuation-token'] as string | undefined;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), [...ids].sort());
  });

  test('orderBy=newest: newest first, paging by its own token; orderBy=oldest is the default order', async () => {
    const listed = async (query: string, token?: string) => {
      const answer = await listServer.request('GET', `${BASE}/instances?${query}`, { headers: token ? { 'x-ms-continuation-token': token } : {} });
      assert.equal(answer.status, 200, query);
      return { ids: answer.body.map((status: { instanceId: string }) => status.instanceId) as string[], token: answer.headers['x-ms-continuation-token'] as string | undefined };
    };
    assert.deepEqual((await listed('orderBy=oldest')).ids, ids);
    assert.deepEqual((await listed('')).ids, ids);
    assert.deepEqual((await listed('orderBy=newest')).ids, [...ids].reverse());
    const first = await listed('orderBy=newest&top=5');
    const second = await listed('orderBy=newest&top=5', first.token);
    assert.deepEqual([...first.ids, ...second.ids], [...ids].reverse());
    assert.equal(second.token, undefined);
    const mixed = await listServer.request('GET', `${BASE}/instances?top=5`, { headers: { 'x-ms-continuation-token': first.token! } });
    assert.equal(mixed.status, 400);
    assert.match(assertErrorBody(mixed), /continuation token is of a listing newest first/);
  });

  test('400 for a bad date, an unknown status name, top out of range, a malformed token', async () => {
    const cases: [string, RegExp, Record<string, string>?][] = [
      ['createdTimeFrom=yesterday', /createdTimeFrom 'yesterday' is not an ISO 8601 date/],
      ['createdTimeTo=2024-13-45', /createdTimeTo '2024-13-45'/],
      ['createdTimeFrom=2026-02-30', /createdTimeFrom '2026-02-30' is not a valid date: February 2026 has 28 days/],
      ['createdTimeTo=2026-04-31T10:00:00%2B02:00', /createdTimeTo '2026-04-31T10:00:00\+02:00' is not a valid date: April 2026 has 30 days/],
      ['lastUpdatedTimeFrom=2026-01-01T24:00:00Z', /lastUpdatedTimeFrom '2026-01-01T24:00:00Z' is not a valid date: the hour must be 00 to 23/],
      ['runtimeStatus=Done', /unknown runtime status 'Done'/],
      ['runtimeStatus=Running,Sleeping', /unknown runtime status 'Sleeping'/],
      ['top=0', /query parameter 'top' must be >= 1/],
      ['top=1001', /query parameter 'top' must be <= 1000/],
      ['top=2.5', /query parameter 'top' must be integer/],
      ['top=abc', /query parameter 'top' must be integer/],
      ['top=Infinity', /query parameter 'top' must be a finite number/],
      ['showInput=maybe', /query parameter 'showInput' must be boolean/],
      ['orderBy=createdTime', /the list order must be oldest or newest, not "createdTime"/],
      ['', /continuation token is malformed/, { 'x-ms-continuation-token': 'not a token' }],
    ];
    for (const [query, message, headers] of cases) {
      const answer = await listServer.request('GET', `${BASE}/instances?${query}`, { headers });
      assert.equal(answer.status, 400, query);
      assert.match(assertErrorBody(answer), message, query);
    }
  });
});

async function poll(instanceId: string, done: (body: { runtimeStatus?: string }) => boolean) {
  for (let i = 0; i < 500; i++) {
    const answer = await server.request('GET', `${BASE}/instances/${instanceId}`);
    if (done(answer.body)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`instance ${instanceId} never reached the expected state`);
}
