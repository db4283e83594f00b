/** Retention (docs/instance-management.md, "Retention"): purges what the policy allows and never an unfinished or too-young instance, on every store. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { storesUnderTest } from '../support/stores.js';
import { eventually, waitForStatus } from '../support/polling.js';

for (const kind of storesUnderTest()) {
  describe(`retention on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    it('purges old enough finished instances and never an unfinished or too-young one', async () => {
      assert.deepEqual(await h.client.getRetention(), { policy: {}, purgedTotal: 0 });
      const completed = await h.client.startNew('Approval', { instanceId: 'ret-completed', input: { timeoutSeconds: 0 } });
      await h.client.waitForCompletion(completed, { timeoutInMilliseconds: 20_000 });
      const terminated = await h.client.startNew('Approval', { instanceId: 'ret-terminated', input: { timeoutSeconds: 600 } });
      await waitForStatus(h.client, terminated, 'Running');
      await h.client.terminate(terminated);
      await waitForStatus(h.client, terminated, 'Terminated');
      const running = await h.client.startNew('Approval', { instanceId: 'ret-running', input: { timeoutSeconds: 600 } });
      await waitForStatus(h.client, running, 'Running');
      // Completed instances may go at once; Terminated ones are kept a day: this one is too young.
      await h.client.setRetention({ completedDays: 0, terminatedDays: 1, failedDays: 0 });
      const view = await eventually('a retention run', async () => {
        const current = await h.client.getRetention();
        return current.lastRun ? current : undefined;
      });
      assert.deepEqual(view.policy, { completedDays: 0, failedDays: 0, terminatedDays: 1 });
      assert.equal(view.lastRun!.completed, 1);
      assert.equal(view.lastRun!.terminated, 0);
      assert.equal(view.purgedTotal, 1);
      assert.equal(await h.client.getStatus(completed), undefined);
      assert.equal((await h.client.getStatus(terminated))!.runtimeStatus, 'Terminated');
      assert.equal((await h.client.getStatus(running))!.runtimeStatus, 'Running');
    });

    it('keeps at most maxFinished finished instances (the oldest go), never an unfinished one', async () => {
      for (const id of ['ret-max-1', 'ret-max-2', 'ret-max-3']) {
        await h.client.startNew('Approval', { instanceId: id, input: { timeoutSeconds: 0 } });
        await h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
      }
      const finishedCount = async () => {
        const counts = await h.client.countInstances({ runtimeStatus: ['Completed', 'Failed', 'Terminated'] });
        return counts.Completed + counts.Failed + counts.Terminated;
      };
      const before = await finishedCount();
      assert.ok(before >= 4, `${before} finished`);
      await h.client.setRetention({ maxFinished: 2 });
      await eventually('the count limit applied', async () => ((await finishedCount()) === 2 ? true : undefined));
      assert.equal((await h.client.getStatus('ret-max-3'))!.runtimeStatus, 'Completed');
      assert.equal((await h.client.getStatus('ret-running'))!.runtimeStatus, 'Running');
      const view = await eventually('the run recorded', async () => {
        const current = await h.client.getRetention();
        return current.policy.maxFinished === 2 && current.lastRun && current.lastRun.overLimit > 0 ? current : undefined;
      });
      assert.equal(view.lastRun!.overLimit, before - 2);
    });

    it('refuses a bad policy', async () => {
      for (const policy of [{ completedDays: -1 }, { maxFinished: 1.5 }, { keepForever: true }, { intervalSeconds: 0 }]) {
        await assert.rejects(h.client.setRetention(policy), InvalidArgumentError, JSON.stringify(policy));
      }
    });
  });
}
