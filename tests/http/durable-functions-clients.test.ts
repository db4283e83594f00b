/**
 * Microsoft's own clients, durable-functions 1.5.4 and 3.5.0, unchanged, against a real taskhub server on
 * loopback (the store of TASKHUB_TEST_STORE): each built from the binding payload a Functions host hands
 * it, with URL templates only and with `rpcBaseUrl`, through every method it has. Where a client reads an
 * answer in its own way (1.x returns a 404's body as the status; neither sends showInput=false in rpc
 * mode), the test says so: that is what the same client does against Durable Functions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, HUB, finishedInstance, send, startTestServer, waitForStatus, waitingApproval, type TestServer } from './http-harness.js';
import { bindingPayload, durableClient, type ClientStatus, type DurableClientUnderTest } from './durable-functions-clients.js';

/** More than the 100 a list page holds, so getStatusAll must follow x-ms-continuation-token. */
const PAGED_INSTANCES = 105;
const KEY = 'df-client-k3y_0123456789';

let server: TestServer;
const savedHostname = process.env.WEBSITE_HOSTNAME;
const pagedIds: string[] = [];

before(async () => {
  server = await startTestServer();
  // A Functions host always sets it; without it both clients rewrite template URLs to localhost:7071.
  process.env.WEBSITE_HOSTNAME = new URL(server.url).host;
  // Scheduled far ahead, they stay Pending and cost the worker nothing.
  const startAt = new Date(Date.now() + 3_600_000);
  for (let i = 0; i < PAGED_INSTANCES; i++) {
    pagedIds.push(await server.client.startNew('HelloWorld', { instanceId: `paged-${String(i).padStart(3, '0')}`, input: i, startAt }));
  }
});
after(async () => {
  await server.close();
  if (savedHostname === undefined) delete process.env.WEBSITE_HOSTNAME;
  else process.env.WEBSITE_HOSTNAME = savedHostname;
});

const finish = (instanceId: string) => server.client.waitForCompletion(instanceId, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 20 });

for (const version of [1, 3] as const) {
  for (const rpc of [false, true]) {
    const mode = rpc ? 'rpcBaseUrl' : 'URL templates';
    describe(`durable-functions ${version === 1 ? '1.5.4' : '3.5.0'} with ${mode}`, () => {
      let client: DurableClientUnderTest;
      /** Instance ids of this client and mode, apart from the others'. */
      const id = (name: string) => `v${version}-${rpc ? 'rpc' : 'tpl'}-${name}`;
      before(() => {
        client = durableClient(version, bindingPayload(server.url, { hub: HUB, rpc }));
      });

      test('startNew: with an id and input, without either; an unknown orchestrator and a running id are refused with the message', async () => {
        assert.equal(await client.startNew('HelloWorld', id('hello'), 'Tokyo'), id('hello'));
        assert.equal((await finish(id('hello'))).output, 'Hello Tokyo!');
        const generated = await client.startNew('HelloWorld');
        assert.match(generated, /^[0-9a-f]{32}$/);
        assert.equal((await finish(generated)).runtimeStatus, 'Completed');

        await assert.rejects(client.startNew('Nope'), /unexpected status code: 400\. Details: "orchestrator 'Nope' is not registered"/);
        const running = await waitingApproval(server.client, id('running'));
        await assert.rejects(client.startNew('Approval', running), /409\. Details: "an instance with id '.+' already exists and is Running"/);
        await server.client.terminate(running);
      });

      test('getStatus, with each flag', async () => {
        const instanceId = await finishedInstance(server.client, 'E1_HelloSequence', { note: 'in' }, id('status'));
        const status = await client.getStatus(instanceId);
        assert.ok(typeof status === 'object');
        assert.equal(status.name, 'E1_HelloSequence');
        assert.equal(status.instanceId, instanceId);
        assert.equal(status.runtimeStatus, 'Completed');
        assert.deepEqual(status.input, { note: 'in' });
        assert.equal(status.customStatus, null);
        assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        assert.ok(!Number.isNaN(new Date(status.createdTime as string).getTime()));

        // The clients send showInput=false with URL templates; with rpcBaseUrl they send showInput only when true.
        const hidden = (await client.getStatus(instanceId, { showInput: false })) as ClientStatus;
        assert.deepEqual(hidden.input, rpc ? { note: 'in' } : null);
        assert.deepEqual(hidden.output, status.output);

        const withHistory = (await client.getStatus(instanceId, { showHistory: true, showHistoryOutput: true })) as ClientStatus;
        assert.equal(withHistory.runtimeStatus, 'Completed');
        if (version === 1) {
          const events = withHistory.historyEvents as { EventType: string; Result?: unknown }[];
          assert.deepEqual(
            events.map((event) => event.EventType),
            ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
          );
          assert.equal(events[1]!.Result, 'Hello Tokyo!');
        }
        // 3.x copies `history` into its DurableOrchestrationStatus; Durable Functions, and taskhub, send historyEvents.

        const running = await waitingApproval(server.client, id('status-running'));
        const runningStatus = (await client.getStatus(running)) as ClientStatus;
        assert.equal(runningStatus.runtimeStatus, 'Running');
        assert.equal(runningStatus.customStatus, 'waiting-for-approval');
        await server.client.terminate(running);
      });

      test('getStatus of a Failed instance: the output is the message, failureDetails the structure', async () => {
        const failed = await finishedInstance(server.client, 'AlwaysFails', undefined, id('failed'));
        const status = (await client.getStatus(failed)) as ClientStatus;
        assert.equal(status.runtimeStatus, 'Failed');
        assert.equal(status.output, "Orchestrator function 'AlwaysFails' failed: activity 'Boom' (task 0) failed: boom");
        // 1.x returns the JSON as it came; 3.x keeps only Durable Functions' fields.
        if (version === 1) assert.equal((status.failureDetails as { errorType: string }).errorType, 'TaskFailedError');
      });

      test('getStatus of an unknown instance', async () => {
        if (version === 1) {
          // 1.x returns the body of the 404; Durable Functions' is empty, and so is taskhub's for this client.
          assert.equal(await client.getStatus('nobody-home'), '');
        } else {
          await assert.rejects(client.getStatus('nobody-home'), (error: Error) => {
            assert.equal(
              error.message,
              'DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: nobody-home.',
            );
            return true;
          });
        }
      });

      test('getStatusAll follows the continuation token through every page, with inputs', async () => {
        const all = await client.getStatusAll();
        const ids = all.map((status) => status.instanceId as string);
        assert.equal(new Set(ids).size, ids.length, 'no instance twice');
        const paged = all.filter((status) => (status.instanceId as string).startsWith('paged-'));
        assert.deepEqual(
          paged.map((status) => [status.instanceId, status.input]).sort(),
          pagedIds.map((pagedId, i) => [pagedId, i]).sort(),
        );
      });

      test('getStatusBy: created time and runtime status, with inputs', async () => {
        const from = new Date();
        const done = await finishedInstance(server.client, 'HelloWorld', 'by', id('by-done'));
        const waiting = await waitingApproval(server.client, id('by-waiting'));
        const completed = await client.getStatusBy({ createdTimeFrom: from, createdTimeTo: new Date(), runtimeStatus: ['Completed'] });
        assert.deepEqual(
          completed.map((status) => [status.instanceId, status.input]),
          [[done, 'by']],
        );
        const both = await client.getStatusBy({ createdTimeFrom: from, runtimeStatus: ['Completed', 'Running'] });
        assert.deepEqual(both.map((status) => status.instanceId).sort(), [done, waiting].sort());
        await server.client.terminate(waiting);
      });

      test('raiseEvent: delivered; an unknown instance is refused; a finished one is accepted as the clients accept 410', async () => {
        const waiting = await waitingApproval(server.client, id('event'));
        await client.raiseEvent(waiting, 'Approval', { by: `v${version}` });
        assert.deepEqual((await finish(waiting)).output, { outcome: 'approved', data: { by: `v${version}` } });
        await assert.rejects(client.raiseEvent('nobody-home', 'Approval', 1), /No instance with ID 'nobody-home' found\./);
        await client.raiseEvent(waiting, 'Approval', 'too late');
      });

      test('terminate: the reason becomes the output; unknown refused; finished accepted (410)', async () => {
        const waiting = await waitingApproval(server.client, id('terminate'));
        await client.terminate(waiting, 'enough');
        await waitForStatus(server.client, waiting, (status) => status === 'Terminated');
        assert.equal((await client.getStatus(waiting) as ClientStatus).output, 'enough');
        await assert.rejects(client.terminate('nobody-home', 'x'), /No instance with ID 'nobody-home' found\./);
        await client.terminate(waiting, 'again');
      });

      test('suspend and resume, each twice: 202 every time, as the clients need', { skip: version === 1 && 'durable-functions 1.x has no suspend or resume' }, async () => {
        const waiting = await waitingApproval(server.client, id('suspend'));
        await client.suspend!(waiting, 'hold');
        await client.suspend!(waiting, 'still');
        await waitForStatus(server.client, waiting, (status) => status === 'Suspended');
        assert.equal((await client.getStatus(waiting) as ClientStatus).output, 'hold');
        await client.resume!(waiting, 'go');
        await client.resume!(waiting, 'go-again');
        await client.raiseEvent(waiting, 'Approval', 'resumed');
        assert.deepEqual((await finish(waiting)).output, { outcome: 'approved', data: 'resumed' });
        await client.suspend!(waiting, 'finished');
        await client.resume!(waiting, 'finished');
        await assert.rejects(client.suspend!('nobody-home', 'x'), /No instance with ID 'nobody-home' found\./);
      });

      test('rewind: a Failed instance completes; the refusals read as sentences, never [object Object]', async () => {
        const flaky = await finishedInstance(server.client, 'FlakyOnce', undefined, id('rewind'));
        await client.rewind(flaky, 'retry');
        // Until the worker applies the rewind the instance is still Failed, which counts as finished.
        await waitForStatus(server.client, flaky, (status) => status === 'Completed');
        assert.equal((await server.client.getStatus(flaky))?.output, 'recovered');

        // 3.x makes this error from the body; 1.x has a message of its own.
        const unknown = version === 3 ? "no instance with id 'nobody-home' in this task hub" : "No instance with ID 'nobody-home' found.";
        await assert.rejects(client.rewind('nobody-home', 'x'), (error: Error) => {
          assert.equal(error.message, unknown);
          return true;
        });
        await assert.rejects(client.rewind(flaky, 'x'), (error: Error) => {
          assert.match(error.message, /^The operation failed with an unexpected status code: 409\. Details: "cannot rewind instance '.+': it is Completed, and only Failed instances can be"$/);
          return true;
        });
      });

      test('purgeInstanceHistory: 1 for a finished instance, 0 for an unknown one; a running one is refused and kept', async () => {
        const done = await finishedInstance(server.client, 'HelloWorld', 'purge', id('purge'));
        assert.deepEqual({ ...(await client.purgeInstanceHistory(done)) }, { instancesDeleted: 1 });
        assert.equal(await server.client.getStatus(done), undefined);
        assert.deepEqual({ ...(await client.purgeInstanceHistory('nobody-home')) }, { instancesDeleted: 0 });
        const running = await waitingApproval(server.client, id('purge-running'));
        await assert.rejects(client.purgeInstanceHistory(running), /409\. Details: "cannot purge instance '.+': it is Running, and only Completed, Failed or Terminated instances can be"/);
        assert.equal((await server.client.getStatus(running))?.runtimeStatus, 'Running');
        await server.client.terminate(running);
      });

      test('purgeInstanceHistoryBy: the finished instances created in the range; 0 when none match', async () => {
        const from = new Date();
        await finishedInstance(server.client, 'HelloWorld', 'one', id('purge-by-1'));
        await finishedInstance(server.client, 'HelloWorld', 'two', id('purge-by-2'));
        const filter = { createdTimeFrom: from, createdTimeTo: new Date(), runtimeStatus: ['Completed' as const] };
        assert.deepEqual({ ...(await client.purgeInstanceHistoryBy(filter)) }, { instancesDeleted: 2 });
        assert.deepEqual({ ...(await client.purgeInstanceHistoryBy(filter)) }, { instancesDeleted: 0 });
      });

      test('waitForCompletionOrCreateCheckStatusResponse: 200 with the output, 500 with a Failed status, 202 when not done in time', async () => {
        const requestUrl = `${server.url}/api/start`;
        const done = await client.startNew('E1_HelloSequence', id('wait-done'));
        const ok = await client.waitForCompletionOrCreateCheckStatusResponse(requestUrl, done, 20_000, 50);
        assert.equal(ok.status, 200);
        assert.deepEqual(ok.body, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

        const fails = await client.startNew('AlwaysFails', id('wait-failed'));
        const failed = await client.waitForCompletionOrCreateCheckStatusResponse(requestUrl, fails, 20_000, 50);
        assert.equal(failed.status, 500);
        assert.equal((failed.body as ClientStatus).output, "Orchestrator function 'AlwaysFails' failed: activity 'Boom' (task 0) failed: boom");

        const slow = await client.startNew('Approval', id('wait-slow'), { timeoutSeconds: 3600 });
        const pending = await client.waitForCompletionOrCreateCheckStatusResponse(requestUrl, slow, 300, 100);
        assert.equal(pending.status, 202);
        const statusUrl = (pending.body as Record<string, string>).statusQueryGetUri!;
        assert.equal(statusUrl, `${server.url}${BASE}/instances/${slow}?taskHub=${HUB}&connection=Storage`);
        assert.equal((await send(server.url, 'GET', statusUrl)).body.runtimeStatus, 'Running');
        await server.client.terminate(slow);
      });

      test('createCheckStatusResponse and createHttpManagementPayload: URLs the server answers', async () => {
        const waiting = await waitingApproval(server.client, id('urls'));
        const response = await client.createCheckStatusResponse(`${server.url}/api/start`, waiting);
        assert.equal(response.status, 202);
        const urls = response.body as Record<string, string>;
        assert.equal(response.headers.location, urls.statusQueryGetUri);
        assert.equal(String(response.headers['retry-after']), '10');
        const polled = await send(server.url, 'GET', urls.statusQueryGetUri!);
        assert.equal(polled.status, 202);
        assert.equal(polled.body.instanceId, waiting);

        const payload = client.createHttpManagementPayload(waiting);
        assert.equal(payload.id, waiting);
        const raised = await send(server.url, 'POST', payload.sendEventPostUri!.replace('{eventName}', 'Approval'), { json: 'via the payload' });
        assert.equal(raised.status, 202);
        assert.deepEqual((await finish(waiting)).output, { outcome: 'approved', data: 'via the payload' });
        const purged = await send(server.url, 'DELETE', payload.purgeHistoryDeleteUri!);
        assert.deepEqual(purged.body, { instancesDeleted: 1 });
      });

      test('signalEntity and readEntityState fail clearly: entities are not supported', async () => {
        if (rpc) {
          for (const call of [client.signalEntity('Counter', 'k', 'add', 1), client.readEntityState('Counter', 'k')]) {
            await assert.rejects(call, /unexpected status code: 501\. Details: "durable entities are not supported"/);
          }
        } else {
          // Without a key the host's requiredQueryStringParameters is empty, and the clients refuse before sending
          // (as against Durable Functions); with a key they reach the server, below.
          await assert.rejects(client.signalEntity('Counter', 'k', 'add', 1), /Cannot use the signalEntity API with this version of the Durable Task Extension/);
          await assert.rejects(client.readEntityState('Counter', 'k'), /Cannot use the readEntityState API with this version of the Durable Task Extension/);
        }
      });
    });
  }
}

describe('with an API key', () => {
  let keyed: TestServer;
  before(async () => {
    keyed = await startTestServer({ apiKey: KEY });
  });
  after(async () => {
    await keyed.close();
  });

  for (const version of [1, 3] as const) {
    test(`durable-functions ${version}.x with URL templates carrying code: every call passes the key; entities answer 501`, async () => {
      const client = durableClient(version, bindingPayload(keyed.url, { hub: HUB, code: KEY, rpc: false }));
      const started = await client.startNew('HelloWorld', `keyed-v${version}`, 'key');
      await keyed.client.waitForCompletion(started, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 20 });
      assert.equal(((await client.getStatus(started)) as ClientStatus).output, 'Hello key!');
      assert.ok((await client.getStatusAll()).some((status) => status.instanceId === started));
      assert.deepEqual({ ...(await client.purgeInstanceHistory(started)) }, { instancesDeleted: 1 });
      await assert.rejects(client.signalEntity('Counter', 'k', 'add', 1), /unexpected status code: 501\. Details: "durable entities are not supported"/);
      await assert.rejects(client.readEntityState('Counter', 'k'), /unexpected status code: 501\. Details: "durable entities are not supported"/);
    });

    test(`durable-functions ${version}.x with rpcBaseUrl cannot send the key: 401, and nothing is started`, async () => {
      const client = durableClient(version, bindingPayload(keyed.url, { hub: HUB, code: KEY, rpc: true }));
      await assert.rejects(client.startNew('HelloWorld', `unkeyed-v${version}`), /unexpected status code: 401\. Details: "this server requires an API key/);
      assert.equal(await keyed.client.getStatus(`unkeyed-v${version}`), undefined);
    });
  }
});

test('without WEBSITE_HOSTNAME both clients rewrite every template URL to localhost:7071, so a host must set it', () => {
  const saved = process.env.WEBSITE_HOSTNAME;
  delete process.env.WEBSITE_HOSTNAME;
  try {
    for (const version of [1, 3] as const) {
      const payload = durableClient(version, bindingPayload(server.url, { hub: HUB, rpc: false })).createHttpManagementPayload('x');
      assert.equal(payload.statusQueryGetUri, `http://localhost:7071${BASE}/instances/x?taskHub=${HUB}&connection=Storage`);
    }
  } finally {
    if (saved !== undefined) process.env.WEBSITE_HOSTNAME = saved;
  }
});
