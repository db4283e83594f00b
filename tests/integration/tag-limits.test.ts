/**
 * The tag limit holds for an instance's total, on every store: start tags and what setTag adds over many
 * steps, through continue-as-new and restart; a refused setTag is a TagLimitError the code catches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/index.js';
import { testRegistry } from '../support/test-app.js';
import { startHarness, type Harness } from '../support/harness.js';
import { storesUnderTest } from '../support/stores.js';
import { eventually, waitForCustomStatus } from '../support/polling.js';

/** Adds one tag per 'add' event, reporting what happened in its custom status; 'loop' continues as new first. */
function* TagPerEvent(ctx: OrchestrationContext, round = 0) {
  for (;;) {
    const next = (yield ctx.waitForExternalEvent<string>('add')) as string;
    if (next === 'loop') {
      ctx.continueAsNew(round + 1);
      return;
    }
    try {
      ctx.setTag(next, `round-${round}`);
      ctx.setCustomStatus(`set ${next}`);
    } catch (error) {
      ctx.setCustomStatus(`${(error as Error).name} for ${next}`);
    }
  }
}

function manyTags(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`start-${String(i).padStart(2, '0')}`, 'v']));
}

for (const kind of storesUnderTest()) {
  describe(`tag limits on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(kind, { registry: testRegistry().orchestrator('TagPerEvent', TagPerEvent) });
    });
    after(async () => {
      await h.close();
    });

    const add = async (id: string, key: string, expected: string) => {
      await h.client.raiseEvent(id, 'add', key);
      await waitForCustomStatus(h.client, id, expected);
    };
    const tagCount = async (id: string) => Object.keys((await h.client.getStatus(id))?.tags ?? {}).length;

    it('start tags and tags set one step at a time stop at 20, and stay at 20 through continue-as-new and restart', async () => {
      const id = await h.client.startNew('TagPerEvent', { instanceId: 'tag-limit', tags: manyTags(18) });
      await add(id, 'a', 'set a');
      await add(id, 'b', 'set b');
      assert.equal(await tagCount(id), 20);
      await add(id, 'c', 'TagLimitError for c');
      assert.equal(await tagCount(id), 20, 'the refused tag was not stored');
      assert.equal((await h.client.listInstances({ tags: { c: 'round-0' } })).instances.length, 0);
      await add(id, 'a', 'set a'); // a key the instance has is changed, not added
      assert.equal((await h.client.getStatus(id))?.tags.a, 'round-0');

      await h.client.raiseEvent(id, 'add', 'loop');
      await eventually('the next execution', async () => ((await h.client.getStatus(id, { showInput: true }))?.input === 1 ? true : undefined));
      await add(id, 'd', 'TagLimitError for d');
      assert.equal(await tagCount(id), 20);

      const restarted = await h.client.restart(id);
      await add(restarted, 'e', 'TagLimitError for e');
      assert.deepEqual((await h.client.getStatus(restarted))?.tags, (await h.client.getStatus(id))?.tags, 'restart carries the 20 tags');
      await h.client.terminate(id);
      await h.client.terminate(restarted);
    });
  });
}
