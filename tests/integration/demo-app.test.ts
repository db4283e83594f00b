/** Every orchestrator of the demo app (S-DEMO) end to end, on every store. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { storesUnderTest } from '../support/stores.js';
import { assertHistoryInvariant } from '../support/history-invariant.js';
import { waitForCustomStatus, waitForStatus } from '../support/polling.js';

for (const kind of storesUnderTest()) {
  describe(`demo app on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    const finish = (id: string) => h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });

    it('E1_HelloSequence greets three cities in turn', async () => {
      const id = await h.client.startNew('E1_HelloSequence');
      const status = await finish(id);
      assert.equal(status.runtimeStatus, 'Completed');
      assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      await assertHistoryInvariant(h.backend, h.hub, id);
    });

    it('HelloWorld greets its input, or the World', async () => {
      const named = await h.client.startNew('HelloWorld', { input: 'Lisbon' });
      const unnamed = await h.client.startNew('HelloWorld');
      assert.equal((await finish(named)).output, 'Hello Lisbon!');
      assert.equal((await finish(unnamed)).output, 'Hello World!');
    });

    it('Sleep waits on a durable timer and returns done', async () => {
      const started = Date.now();
      const id = await h.client.startNew('Sleep', { input: 0.3 });
      const status = await finish(id);
      assert.equal(status.output, 'done');
      assert.ok(Date.now() - started >= 290, 'the timer did not fire early');
      const types = (await h.client.getHistory(id)).map((e) => e.type);
      assert.ok(types.includes('TimerCreated') && types.includes('TimerFired'));
    });

    it('Approval: the event wins and the timer is cancelled', async () => {
      const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 30 } });
      await waitForCustomStatus(h.client, id, 'waiting-for-approval');
      await h.client.raiseEvent(id, 'Approval', { by: 'ana' });
      const status = await finish(id);
      assert.equal(status.runtimeStatus, 'Completed');
      assert.deepEqual(status.output, { outcome: 'approved', data: { by: 'ana' } });
    });

    it('Approval: the timer wins when no event comes', async () => {
      const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 0.3 } });
      const status = await finish(id);
      assert.deepEqual(status.output, { outcome: 'timeout' });
    });

    it('Counter continues as new on Add, keeping unprocessed events, and returns on Stop', async () => {
      const id = await h.client.startNew('Counter', { input: { total: 1 } });
      await h.client.raiseEvent(id, 'Add', 5);
      await h.client.raiseEvent(id, 'Add', 3);
      await h.client.raiseEvent(id, 'Stop');
      const status = await finish(id);
      assert.equal(status.runtimeStatus, 'Completed');
      assert.equal(status.output, 9);
      assert.deepEqual(status.input, { total: 9 }, 'the last execution started with the accumulated total');
    });

    it('FanOutFanIn sums 50 squares computed at once', async () => {
      const id = await h.client.startNew('FanOutFanIn', { input: 50 });
      const status = await finish(id);
      assert.equal(status.output, 42925);
      await assertHistoryInvariant(h.backend, h.hub, id);
    });

    it('ParentOfChildren runs two sub-orchestrations with default child ids', async () => {
      const id = await h.client.startNew('ParentOfChildren');
      const status = await finish(id);
      assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!']);
      const first = await h.client.getStatus(`${id}:0`);
      const second = await h.client.getStatus(`${id}:1`);
      assert.equal(first?.output, 'Hello Tokyo!');
      assert.equal(second?.output, 'Hello Seattle!');
      assert.equal(first?.name, 'HelloWorld');
    });

    it('FlakyOnce fails, and a rewind completes it without repeating completed work', async () => {
      const id = await h.client.startNew('FlakyOnce');
      const failed = await finish(id);
      assert.equal(failed.runtimeStatus, 'Failed');
      assert.match(JSON.stringify(failed.output), /Simulated failure/);
      await h.client.rewind(id, 'try again');
      const status = await waitForStatus(h.client, id, 'Completed');
      assert.equal(status.output, 'recovered');
      const types = (await h.client.getHistory(id)).map((e) => e.type);
      assert.ok(types.includes('ExecutionRewound'));
      assert.ok(!types.includes('TaskFailed'), 'the failure was rewound away');
      await assertHistoryInvariant(h.backend, h.hub, id);
    });

    it('AlwaysFails fails with the error message in its output', async () => {
      const id = await h.client.startNew('AlwaysFails');
      const status = await finish(id);
      assert.equal(status.runtimeStatus, 'Failed');
      assert.match(JSON.stringify(status.output), /boom/);
      await assertHistoryInvariant(h.backend, h.hub, id);
    });
  });
}
