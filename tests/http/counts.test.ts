/** `GET …/counts` over real HTTP: instances per status for the list's filter, every status named. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, finishedInstance, startTestServer, waitingApproval, type TestServer } from './http-harness.js';

const ALL_ZERO = { Pending: 0, Running: 0, Completed: 0, ContinuedAsNew: 0, Failed: 0, Terminated: 0, Suspended: 0 };

let server: TestServer;
let firstCreated: string;
before(async () => {
  server = await startTestServer();
  await finishedInstance(server.client, 'HelloWorld', 'a', 'order-1');
  firstCreated = (await server.client.getStatus('order-1'))!.lastUpdatedTime;
  await new Promise((resolve) => setTimeout(resolve, 5));
  await finishedInstance(server.client, 'HelloWorld', 'b', 'order-2');
  await finishedInstance(server.client, 'AlwaysFails', undefined, 'order-3');
  await waitingApproval(server.client, 'user-1');
});
after(async () => {
  await server.close();
});

describe('GET /runtime/webhooks/durabletask/counts', () => {
  test('every status with its count, 0 for none, the same as the client counts', async () => {
    const answer = await server.request('GET', `${BASE}/counts`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { ...ALL_ZERO, Completed: 2, Failed: 1, Running: 1 });
    assert.deepEqual(Object.keys(answer.body), Object.keys(ALL_ZERO));
    assert.deepEqual(answer.body, await server.client.countInstances());
  });

  test("applies the list's filter: statuses, name, id prefix, creation time, combined", async () => {
    const counts = async (query: string) => (await server.request('GET', `${BASE}/counts?${query}`)).body;
    assert.deepEqual(await counts('runtimeStatus=completed,Failed'), { ...ALL_ZERO, Completed: 2, Failed: 1 });
    assert.deepEqual(await counts('name=HelloWorld'), { ...ALL_ZERO, Completed: 2 });
    assert.deepEqual(await counts('instanceIdPrefix=user-'), { ...ALL_ZERO, Running: 1 });
    assert.deepEqual(await counts(`createdTimeFrom=${encodeURIComponent(firstCreated)}&instanceIdPrefix=order`), { ...ALL_ZERO, Completed: 1, Failed: 1 });
    assert.deepEqual(await counts('createdTimeTo=2000-01-01'), ALL_ZERO);
    assert.deepEqual(await counts('name=HelloWorld&runtimeStatus=Failed'), ALL_ZERO);
  });

  test('another task hub counts its own instances', async () => {
    // The server's worker runs only its own hub: the instance stays Pending.
    await server.client.forHub('OtherHub').startNew('HelloWorld');
    assert.deepEqual((await server.request('GET', `${BASE}/counts?taskHub=OtherHub`)).body, { ...ALL_ZERO, Pending: 1 });
  });

  test('400 for a bad status, date or hub, with the message the list gives', async () => {
    for (const [query, message] of [
      ['runtimeStatus=Sleeping', /unknown runtime status 'Sleeping'/],
      ['createdTimeFrom=yesterday', /createdTimeFrom 'yesterday' is not an ISO 8601 date/],
      ['taskHub=9lives', /task hub name '9lives' is invalid/],
    ] as const) {
      const answer = await server.request('GET', `${BASE}/counts?${query}`);
      assert.equal(answer.status, 400, query);
      assert.match(assertErrorBody(answer), message);
      assert.equal((await server.request('GET', `${BASE}/instances?${query}`)).status, 400, 'the list refuses it too');
    }
  });
});
