/** `GET …/orchestrators` and `GET …/taskhubs` over real HTTP. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registry } from '../../examples/demo-app.js';
import { BASE, HUB, startTestServer, type TestServer } from './http-harness.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('GET /runtime/webhooks/durabletask/orchestrators', () => {
  test("the app's orchestrator names, sorted, and no activity", async () => {
    const answer = await server.request('GET', `${BASE}/orchestrators`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { orchestrators: registry.orchestratorNames() });
    assert.ok(answer.body.orchestrators.includes('E1_HelloSequence'));
    assert.ok(!answer.body.orchestrators.includes('E1_SayHello'));
  });
});

describe('GET /runtime/webhooks/durabletask/taskhubs', () => {
  test("the server's hub while the store is empty, then every hub holding an instance, sorted", async () => {
    assert.deepEqual((await server.request('GET', `${BASE}/taskhubs`)).body, { defaultTaskHub: HUB, taskHubs: [HUB] });
    // The server's worker runs only its own hub: these stay Pending, which is enough to make a hub.
    await server.client.forHub('Zeta').startNew('HelloWorld');
    await server.client.forHub('Alpha').startNew('HelloWorld');
    const answer = await server.request('GET', `${BASE}/taskhubs?taskHub=Zeta`);
    assert.deepEqual(answer.body, { defaultTaskHub: HUB, taskHubs: ['Alpha', HUB, 'Zeta'] });
    await server.client.forHub('Alpha').deleteTaskHub();
    assert.deepEqual((await server.request('GET', `${BASE}/taskhubs`)).body.taskHubs, [HUB, 'Zeta']);
  });
});
