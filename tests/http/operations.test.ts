/**
 * S-HTTP instance operations over real HTTP: raiseEvent, terminate, suspend, resume, rewind, restart, with
 * every status code each can answer (S-EVENT-1, S-TERM-1, S-SUSPEND-1, S-REWIND-1, S-RESTART-1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, HUB, assertErrorBody, countAll, finishedInstance, startTestServer, waitForStatus, waitingApproval, type TestServer } from './http-harness.js';

let server: TestServer;
let completed: string;
before(async () => {
  server = await startTestServer();
  completed = await finishedInstance(server.client, 'HelloWorld', 'done');
});
after(async () => {
  await server.close();
});

const instance = (id: string) => `${BASE}/instances/${encodeURIComponent(id)}`;

describe('POST /instances/{id}/raiseEvent/{eventName}', () => {
  test('202 with no body; the event reaches the orchestration', async () => {
    const id = await waitingApproval(server.client);
    const answer = await server.request('POST', `${instance(id)}/raiseEvent/Approval`, { json: { by: 'ops' } });
    assert.equal(answer.status, 202);
    assert.equal(answer.text, '');
    const status = await server.client.waitForCompletion(id, { retryIntervalInMilliseconds: 20 });
    assert.deepEqual(status.output, { outcome: 'approved', data: { by: 'ops' } });
  });

  test('202 without a body: the event carries null', async () => {
    const id = await waitingApproval(server.client);
    assert.equal((await server.request('POST', `${instance(id)}/raiseEvent/Approval`)).status, 202);
    const status = await server.client.waitForCompletion(id, { retryIntervalInMilliseconds: 20 });
    assert.deepEqual(status.output, { outcome: 'approved', data: null });
  });

  test('400 bad JSON, 415 not JSON, 404 unknown instance, 410 finished instance; nothing delivered', async () => {
    const id = await waitingApproval(server.client);
    const before = await server.client.getHistory(id);
    const badJson = await server.request('POST', `${instance(id)}/raiseEvent/Approval`, { raw: '{oops', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.status, 400);
    assert.match(assertErrorBody(badJson), /not valid JSON/);
    const notJson = await server.request('POST', `${instance(id)}/raiseEvent/Approval`, { raw: 'yes', headers: { 'content-type': 'text/plain' } });
    assert.equal(notJson.status, 415);
    const badName = await server.request('POST', `${instance(id)}/raiseEvent/a%01b`, { json: 1 });
    assert.equal(badName.status, 400);
    assert.match(assertErrorBody(badName), /an event name/);

    const missing = await server.request('POST', `${instance('nobody-home')}/raiseEvent/Approval`, { json: 1 });
    assert.equal(missing.status, 404);
    assert.match(assertErrorBody(missing), /no instance with id 'nobody-home'/);
    const finished = await server.request('POST', `${instance(completed)}/raiseEvent/Approval`, { json: 1 });
    assert.equal(finished.status, 410);
    assert.match(assertErrorBody(finished), /already finished \(Completed\)/);

    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await server.client.getHistory(id), before);
    assert.equal((await server.client.getStatus(id))?.runtimeStatus, 'Running');
    await server.client.terminate(id);
  });
});

describe('POST /instances/{id}/terminate', () => {
  test('202; the instance becomes Terminated with the reason as output', async () => {
    const id = await waitingApproval(server.client);
    const answer = await server.request('POST', `${instance(id)}/terminate?reason=${encodeURIComponent('no longer needed')}`);
    assert.equal(answer.status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Terminated');
    assert.equal((await server.client.getStatus(id))?.output, 'no longer needed');
  });

  test('recursive=true (beyond DF) is passed to the client: 202 and Terminated', async () => {
    const id = await waitingApproval(server.client);
    assert.equal((await server.request('POST', `${instance(id)}/terminate?recursive=true`)).status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Terminated');
    const history = await server.client.getHistory(id);
    assert.ok(history.some((event) => event.type === 'ExecutionTerminated'));
  });

  test('404 unknown, 410 finished, 400 bad flag', async () => {
    assert.equal((await server.request('POST', `${instance('nobody-home')}/terminate`)).status, 404);
    const finished = await server.request('POST', `${instance(completed)}/terminate?reason=x`);
    assert.equal(finished.status, 410);
    assert.match(assertErrorBody(finished), /cannot terminate instance/);
    assert.equal((await server.request('POST', `${instance(completed)}/terminate?recursive=perhaps`)).status, 400);
  });
});

describe('POST /instances/{id}/suspend and /resume', () => {
  test('202 each; Suspended, then Running again', async () => {
    const id = await waitingApproval(server.client);
    assert.equal((await server.request('POST', `${instance(id)}/suspend?reason=hold`)).status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Suspended');
    assert.equal((await server.request('POST', `${instance(id)}/resume?reason=go`)).status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Running');
    await server.client.terminate(id);
  });

  test('202 with no effect for resuming a Running instance or suspending a Suspended one, as Durable Functions; each change is recorded once', async () => {
    const id = await waitingApproval(server.client);
    const post = (operation: string) => server.request('POST', `${instance(id)}/${operation}`);
    const resumeRunning = await post('resume?reason=early');
    assert.equal(resumeRunning.status, 202);
    assert.equal(resumeRunning.text, '');
    assert.equal((await post('suspend?reason=hold')).status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Suspended');
    assert.equal((await post('suspend?reason=again')).status, 202);
    assert.equal((await post('resume?reason=go')).status, 202);
    assert.equal((await post('resume?reason=twice')).status, 202);
    await server.client.raiseEvent(id, 'Approval', 'after all that');
    // Messages apply in order, so once the event is through, every suspension and resumption before it is.
    const status = await server.client.waitForCompletion(id, { retryIntervalInMilliseconds: 20 });
    assert.deepEqual(status.output, { outcome: 'approved', data: 'after all that' });
    const changes = (await server.client.getHistory(id)).filter((event) => event.type === 'ExecutionSuspended' || event.type === 'ExecutionResumed');
    assert.deepEqual(
      changes.map((event) => [event.type, 'reason' in event ? event.reason : undefined]),
      [
        ['ExecutionSuspended', 'hold'],
        ['ExecutionResumed', 'go'],
      ],
    );
  });

  test('404 unknown, 410 finished', async () => {
    assert.equal((await server.request('POST', `${instance('nobody-home')}/suspend`)).status, 404);
    assert.equal((await server.request('POST', `${instance('nobody-home')}/resume`)).status, 404);
    const suspendFinished = await server.request('POST', `${instance(completed)}/suspend`);
    assert.equal(suspendFinished.status, 410);
    assert.match(assertErrorBody(suspendFinished), /cannot suspend instance '.+': it has already finished \(Completed\)/);
    assert.equal((await server.request('POST', `${instance(completed)}/resume`)).status, 410);
  });
});

describe('POST /instances/{id}/rewind', () => {
  test('202 for a Failed instance: the failed activity runs again and the instance completes', async () => {
    const id = await finishedInstance(server.client, 'FlakyOnce');
    assert.equal((await server.client.getStatus(id))?.runtimeStatus, 'Failed');
    const answer = await server.request('POST', `${instance(id)}/rewind?reason=retry`);
    assert.equal(answer.status, 202);
    await waitForStatus(server.client, id, (status) => status === 'Completed');
    assert.equal((await server.client.getStatus(id))?.output, 'recovered');
  });

  test('409 for an instance that has not failed; 404 unknown', async () => {
    const notFailed = await server.request('POST', `${instance(completed)}/rewind`);
    assert.equal(notFailed.status, 409);
    assert.match(assertErrorBody(notFailed), /only Failed instances can be/);
    const id = await waitingApproval(server.client);
    assert.equal((await server.request('POST', `${instance(id)}/rewind`)).status, 409);
    await server.client.terminate(id);
    assert.equal((await server.request('POST', `${instance('nobody-home')}/rewind`)).status, 404);
  });
});

describe('POST /instances/{id}/restart', () => {
  test('202 with the check-status body of a new instance running the same orchestrator and input', async () => {
    const answer = await server.request('POST', `${instance(completed)}/restart`);
    assert.equal(answer.status, 202);
    const newId = answer.body.id as string;
    assert.notEqual(newId, completed);
    assert.equal(answer.headers['retry-after'], '10');
    assert.equal(answer.headers.location, `${server.url}${BASE}/instances/${newId}?taskHub=${HUB}&connection=TASKHUB_STORAGE`);
    assert.equal(answer.body.statusQueryGetUri, answer.headers.location);
    const status = await server.client.waitForCompletion(newId, { retryIntervalInMilliseconds: 20 });
    assert.equal(status.name, 'HelloWorld');
    assert.equal(status.output, 'Hello done!');
  });

  test('restartWithNewInstanceId=false reuses the id of a finished instance; 409 while it runs', async () => {
    const id = await finishedInstance(server.client, 'HelloWorld', 'same', 'restart-same');
    const answer = await server.request('POST', `${instance(id)}/restart?restartWithNewInstanceId=false`);
    assert.equal(answer.status, 202);
    assert.equal(answer.body.id, 'restart-same');
    await waitForStatus(server.client, id, (status) => status === 'Completed');

    const running = await waitingApproval(server.client);
    const refused = await server.request('POST', `${instance(running)}/restart?restartWithNewInstanceId=false`);
    assert.equal(refused.status, 409);
    await server.client.terminate(running);
  });

  test('400 for a bad Host header before anything is restarted', async () => {
    const before = await countAll(server.client);
    for (const path of [`${instance(completed)}/restart`, `${instance(completed)}/restart?restartWithNewInstanceId=false`]) {
      const answer = await server.request('POST', path, { headers: { host: 'a b' } });
      assert.equal(answer.status, 400, path);
      assert.match(assertErrorBody(answer), /the Host header "a b" is not a host name/);
    }
    assert.equal(await countAll(server.client), before);
    assert.equal((await server.client.getHistory(completed)).filter((event) => event.type === 'ExecutionStarted').length, 1);
  });

  test('404 for an unknown instance', async () => {
    const answer = await server.request('POST', `${instance('nobody-home')}/restart`);
    assert.equal(answer.status, 404);
    assertErrorBody(answer);
  });
});
