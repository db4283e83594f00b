/** `GET …/instances/{id}/history` over real HTTP: the raw history in pages, payloads parsed. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, finishedInstance, startTestServer, type TestServer } from './http-harness.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('GET /runtime/webhooks/durabletask/instances/{id}/history', () => {
  test('pages of `limit` events, numbered from 0, that add up to the whole stored history', async () => {
    const id = await finishedInstance(server.client, 'FanOutFanIn', 4);
    const stored = await server.client.getHistory(id);
    const pages: { sequence: number; type: string }[][] = [];
    let next: number | null = 0;
    while (next !== null) {
      const answer = await server.request('GET', `${BASE}/instances/${id}/history?fromSequence=${next}&limit=5`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.instanceId, id);
      pages.push(answer.body.events);
      next = answer.body.nextSequence;
      assert.ok(pages.length < 100);
    }
    const events = pages.flat();
    assert.deepEqual(events.map((event) => event.sequence), stored.map((_, index) => index));
    assert.deepEqual(events.map((event) => event.type), stored.map((event) => event.type));
    assert.ok(pages.slice(0, -1).every((page) => page.length === 5), 'only the last page is short');
    assert.ok(events.some((event) => event.type === 'TaskScheduled'), 'raw: TaskScheduled is not folded away');
    assert.ok(events.some((event) => event.type === 'OrchestratorStarted'), 'raw: the step markers are there');
  });

  test('payloads are JSON values, failure details included', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld', 'Oslo');
    const { events } = (await server.request('GET', `${BASE}/instances/${id}/history`)).body;
    assert.equal(events.find((event: { type: string }) => event.type === 'ExecutionStarted').input, 'Oslo');
    assert.equal(events.find((event: { type: string }) => event.type === 'TaskCompleted').result, 'Hello Oslo!');
    assert.deepEqual(events.find((event: { type: string }) => event.type === 'ExecutionCompleted').result, 'Hello Oslo!');
    const failed = await finishedInstance(server.client, 'AlwaysFails');
    const failure = (await server.request('GET', `${BASE}/instances/${failed}/history`)).body.events.find((event: { type: string }) => event.type === 'TaskFailed');
    assert.equal(failure.failureDetails.errorMessage, 'boom');
  });

  test('100 events by default; an empty page past the end; 404 unknown; 400 bad paging', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld');
    const whole = (await server.request('GET', `${BASE}/instances/${id}/history`)).body;
    assert.equal(whole.nextSequence, null);
    const past = (await server.request('GET', `${BASE}/instances/${id}/history?fromSequence=1000`)).body;
    assert.deepEqual(past.events, []);
    assert.equal(past.nextSequence, null);
    const missing = await server.request('GET', `${BASE}/instances/nobody/history`);
    assert.equal(missing.status, 404);
    assert.match(assertErrorBody(missing), /no instance with id 'nobody'/);
    for (const query of ['limit=0', 'limit=1001', 'fromSequence=-1', 'fromSequence=x']) {
      const answer = await server.request('GET', `${BASE}/instances/${id}/history?${query}`);
      assert.equal(answer.status, 400, query);
      assertErrorBody(answer);
    }
  });
});
