/** (beyond DF) The batch routes over real HTTP: start, dry run, status, list, cancel, and bad input as a 400 with nothing started, under both management bases. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, startTestServer, waitingApproval, type TestServer } from './http-harness.js';
import { eventually, waitForStatus } from '../support/polling.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const batches = async () => (await server.client.listBatches()).length;

describe('POST /batches', () => {
  test('dry run: 200 { matched } and nothing started', async () => {
    await waitingApproval(server.client, 'http-dry-1');
    await waitingApproval(server.client, 'http-dry-2');
    const before = await batches();
    const answer = await server.request('POST', `${BASE}/batches`, {
      json: { operation: 'terminate', filter: { instanceIdPrefix: 'http-dry-', runtimeStatus: ['Running'] }, dryRun: true },
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { matched: 2 });
    assert.equal(await batches(), before);
    assert.equal((await server.client.getStatus('http-dry-1'))!.runtimeStatus, 'Running');
  });

  test('202 with the job; GET /batches/{id} follows it to completed; GET /batches lists it', async () => {
    await waitingApproval(server.client, 'http-term-1');
    await waitingApproval(server.client, 'http-keep-1');
    const answer = await server.request('POST', `${BASE}/batches`, {
      json: { operation: 'terminate', filter: { instanceIdPrefix: 'http-term-', runtimeStatus: 'running' }, reason: 'by batch' },
    });
    assert.equal(answer.status, 202);
    assert.equal(answer.body.operation, 'terminate');
    assert.equal(answer.body.matched, 1);
    assert.match(answer.body.id, /^taskhub\.batch\./);
    const id = answer.body.id as string;
    const finished = await eventually('the job to complete', async () => {
      const status = await server.request('GET', `/durabletask/batches/${id}`);
      assert.equal(status.status, 200);
      return status.body.state === 'completed' ? status.body : undefined;
    });
    assert.deepEqual({ done: finished.done, failed: finished.failed, failures: finished.failures }, { done: 1, failed: 0, failures: [] });
    // A termination is a message: the job completes when it is delivered, its instance's step may come after.
    await waitForStatus(server.client, 'http-term-1', 'Terminated');
    assert.equal((await server.client.getStatus('http-keep-1'))!.runtimeStatus, 'Running');
    const list = await server.request('GET', `${BASE}/batches`);
    assert.ok(list.body.some((job: { id: string }) => job.id === id));
  });

  test('a tags filter: only the instances carrying every tag are counted and handled', async () => {
    for (const [id, tenant] of [['http-tag-1', 'a'], ['http-tag-2', 'b']] as const) {
      await server.client.startNew('Approval', { input: { timeoutSeconds: 3600 }, instanceId: id, tags: { tenant } });
    }
    await waitingApproval(server.client, 'http-tag-3');
    const filter = { instanceIdPrefix: 'http-tag-', tags: { tenant: 'a' } };
    const dry = await server.request('POST', `${BASE}/batches`, { json: { operation: 'terminate', filter, dryRun: true } });
    assert.deepEqual(dry.body, { matched: 1 });
    const started = await server.request('POST', `${BASE}/batches`, { json: { operation: 'terminate', filter } });
    assert.equal(started.status, 202);
    await eventually('the job to complete', async () => {
      const status = await server.request('GET', `${BASE}/batches/${started.body.id as string}`);
      return status.body.state === 'completed' ? status.body : undefined;
    });
    await waitForStatus(server.client, 'http-tag-1', 'Terminated');
    for (const id of ['http-tag-2', 'http-tag-3']) assert.notEqual((await server.client.getStatus(id))!.runtimeStatus, 'Terminated', id);
  });

  test('cancel: 202 and the job ends cancelled', async () => {
    for (let i = 0; i < 4; i++) await waitingApproval(server.client, `http-cancel-${i}`);
    const started = await server.request('POST', `${BASE}/batches`, {
      json: { operation: 'suspend', filter: { instanceIdPrefix: 'http-cancel-' }, chunkSize: 1, ratePerSecond: 1 },
    });
    const id = started.body.id as string;
    const cancel = await server.request('POST', `${BASE}/batches/${id}/cancel`);
    assert.equal(cancel.status, 202);
    await eventually('the job to be cancelled', async () => ((await server.request('GET', `${BASE}/batches/${id}`)).body.state === 'cancelled' ? true : undefined));
  });

  test('a bad operation, filter or body is a 400 with nothing started; an unknown job a 404', async () => {
    const before = await batches();
    const bad = [
      { operation: 'explode' },
      { filter: {} },
      { operation: 'terminate', filter: { runtimeStatus: ['Sleeping'] } },
      { operation: 'terminate', filter: { createdTimeFrom: 'yesterday' } },
      { operation: 'terminate', filter: { color: 'red' } },
      { operation: 'terminate', filter: { name: 7 } },
      { operation: 'terminate', filter: { tags: { tenant: 7 } } },
      { operation: 'terminate', filter: { tags: 'tenant:a' } },
      { operation: 'raiseEvent' },
      { operation: 'terminate', chunkSize: 0 },
    ];
    for (const json of bad) {
      const answer = await server.request('POST', `${BASE}/batches`, { json });
      assert.equal(answer.status, 400, JSON.stringify(json));
      assertErrorBody(answer);
    }
    assert.equal(await batches(), before);
    const unknown = await server.request('GET', `${BASE}/batches/taskhub.batch.nothing`);
    assert.equal(unknown.status, 404);
    assertErrorBody(unknown);
    assert.equal((await server.request('POST', `${BASE}/batches/someone-else/cancel`)).status, 404);
  });
});
