/** S-HTTP purge routes over real HTTP: one instance, and by filter (S-PURGE-1/2, T17). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, countAll, finishedInstance, startTestServer, waitingApproval, type TestServer } from './http-harness.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('DELETE /instances/{id}', () => {
  test('200 {"instancesDeleted":1}; the instance and its history are gone', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld');
    const answer = await server.request('DELETE', `${BASE}/instances/${id}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '{"instancesDeleted":1}');
    assert.equal(await server.client.getStatus(id), undefined);
    assert.deepEqual(await server.taskHub.backend.getHistory(server.client.hub, id), []);
    assert.equal((await server.request('GET', `${BASE}/instances/${id}`)).status, 404);
  });

  test('404 unknown; 409 not finished (nothing deleted)', async () => {
    assert.equal((await server.request('DELETE', `${BASE}/instances/nobody-home`)).status, 404);
    const running = await waitingApproval(server.client);
    const refused = await server.request('DELETE', `${BASE}/instances/${running}`);
    assert.equal(refused.status, 409);
    assert.match(assertErrorBody(refused), /cannot purge instance/);
    assert.equal((await server.client.getStatus(running))?.runtimeStatus, 'Running');
    await server.client.terminate(running);
  });
});

describe('DELETE /instances?createdTimeFrom=…', () => {
  test('200 with the count of finished instances purged; unfinished ones stay', async () => {
    const finished = [await finishedInstance(server.client, 'HelloWorld'), await finishedInstance(server.client, 'AlwaysFails')];
    const from = (await server.client.getStatus(finished[0]!))!.createdTime;
    const running = await waitingApproval(server.client);
    const answer = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=${encodeURIComponent(from)}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { instancesDeleted: 2 });
    for (const id of finished) assert.equal(await server.client.getStatus(id), undefined);
    assert.equal((await server.client.getStatus(running))?.runtimeStatus, 'Running');
    await server.client.terminate(running);
  });

  test('runtimeStatus and createdTimeTo narrow the purge', async () => {
    const completedId = await finishedInstance(server.client, 'HelloWorld');
    const from = (await server.client.getStatus(completedId))!.createdTime;
    const failedId = await finishedInstance(server.client, 'AlwaysFails');
    const answer = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=${encodeURIComponent(from)}&runtimeStatus=Failed`);
    assert.deepEqual(answer.body, { instancesDeleted: 1 });
    assert.equal(await server.client.getStatus(failedId), undefined);
    assert.ok(await server.client.getStatus(completedId));
    const none = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=${encodeURIComponent(from)}&createdTimeTo=2000-01-01`);
    assert.equal(none.status, 404);
  });

  test('(beyond DF) name and instanceIdPrefix narrow the purge too', async () => {
    const hello = await finishedInstance(server.client, 'HelloWorld', undefined, 'narrow-hello');
    const from = (await server.client.getStatus(hello))!.createdTime;
    const failed = await finishedInstance(server.client, 'AlwaysFails', undefined, 'narrow-failed');
    const other = await finishedInstance(server.client, 'HelloWorld', undefined, 'wide-hello');
    const byName = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=${encodeURIComponent(from)}&name=AlwaysFails`);
    assert.deepEqual(byName.body, { instancesDeleted: 1 });
    assert.equal(await server.client.getStatus(failed), undefined);
    const byPrefix = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=${encodeURIComponent(from)}&instanceIdPrefix=narrow-`);
    assert.deepEqual(byPrefix.body, { instancesDeleted: 1 });
    assert.equal(await server.client.getStatus(hello), undefined);
    assert.ok(await server.client.getStatus(other), 'an instance outside the prefix stays');
  });

  test('404 when nothing matches', async () => {
    const answer = await server.request('DELETE', `${BASE}/instances?createdTimeFrom=2999-01-01`);
    assert.equal(answer.status, 404);
    assert.match(assertErrorBody(answer), /nothing was purged/);
  });

  test('400 without createdTimeFrom, with a bad date, an unknown or unfinished status; nothing deleted', async () => {
    await finishedInstance(server.client, 'HelloWorld');
    const before = await countAll(server.client);
    const cases: [string, RegExp][] = [
      ['', /query parameter 'createdTimeFrom' is required/],
      ['?runtimeStatus=Completed', /query parameter 'createdTimeFrom' is required/],
      ['?createdTimeFrom=soon', /createdTimeFrom 'soon' is not an ISO 8601 date/],
      ['?createdTimeFrom=2000-01-01&createdTimeTo=later', /createdTimeTo 'later'/],
      // Impossible calendar dates that Date would roll over (to 2026-03-02, to the next midnight).
      ['?createdTimeFrom=2026-02-30', /createdTimeFrom '2026-02-30' is not a valid date: February 2026 has 28 days/],
      ['?createdTimeFrom=2026-01-01T24:00:00Z', /createdTimeFrom '2026-01-01T24:00:00Z' is not a valid date: the hour must be 00 to 23/],
      ['?createdTimeFrom=2000-01-01&createdTimeTo=2100-02-29', /createdTimeTo '2100-02-29' is not a valid date: February 2100 has 28 days/],
      ['?createdTimeFrom=2000-01-01&runtimeStatus=Gone', /unknown runtime status 'Gone'/],
      ['?createdTimeFrom=2000-01-01&runtimeStatus=Running', /only Completed, Failed or Terminated instances can be purged, not Running/],
      ['?createdTimeFrom=2000-01-01&createdTimeFrom=2001-01-01', /query parameter 'createdTimeFrom' must be string/],
    ];
    for (const [query, message] of cases) {
      const answer = await server.request('DELETE', `${BASE}/instances${query}`);
      assert.equal(answer.status, 400, query);
      assert.match(assertErrorBody(answer), message, query);
    }
    assert.equal(await countAll(server.client), before);
  });
});
