/** An orchestration sets and removes its own tags (context.setTag / removeTag); status and tag filters see them, on every store. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/index.js';
import { testRegistry } from '../support/test-app.js';
import { startHarness, type Harness } from '../support/harness.js';
import { storesUnderTest } from '../support/stores.js';
import { waitForCustomStatus } from '../support/polling.js';

function* SelfTagging(ctx: OrchestrationContext) {
  ctx.setTag('stage', 'waiting');
  ctx.setCustomStatus('tagged');
  yield ctx.waitForExternalEvent('go');
  ctx.removeTag('stage');
  ctx.setTag('outcome', 'done');
  return 'ok';
}

for (const kind of storesUnderTest()) {
  describe(`orchestration tags on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(kind, { registry: testRegistry().orchestrator('SelfTagging', SelfTagging) });
    });
    after(async () => {
      await h.close();
    });
    const ids = async (tags: Record<string, string>) => (await h.client.listInstances({ tags })).instances.map((status) => status.instanceId);

    it('a tag the code sets is found by listInstances; once removed it no longer matches', async () => {
      const id = await h.client.startNew('SelfTagging', { instanceId: 'self-tagging', tags: { tenant: 'acme' } });
      await waitForCustomStatus(h.client, id, 'tagged');
      assert.deepEqual(await ids({ stage: 'waiting' }), [id]);
      assert.deepEqual(await ids({ stage: 'waiting', tenant: 'acme' }), [id]);
      assert.deepEqual((await h.client.getStatus(id))?.tags, { stage: 'waiting', tenant: 'acme' });
      await h.client.raiseEvent(id, 'go');
      await h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
      assert.deepEqual(await ids({ stage: 'waiting' }), []);
      assert.deepEqual(await ids({ outcome: 'done' }), [id]);
      assert.deepEqual((await h.client.getStatus(id))?.tags, { outcome: 'done', tenant: 'acme' });
    });
  });
}
