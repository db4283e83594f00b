/** Tags: stored at creation, shown with the instance, filtered on with every other filter, removed with it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, InstanceQuery, ListInstancesRequest } from '../../../backend/backend.js';
import { claimAll, claimOnly, commitOk, start, startIn, stepCommit, withBackend, type OpenBackend } from '../fixtures.js';

async function listedIds(backend: Backend, hub: string, query: InstanceQuery & Pick<ListInstancesRequest, 'orderBy'>, pageSize = 1000): Promise<string[]> {
  const ids: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await backend.listInstances(hub, { ...query, pageSize, includeInput: false, continuationToken });
    ids.push(...page.instances.map((record) => record.instanceId));
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  return ids;
}

export function describeTags(open: OpenBackend): void {
  describe('tags', () => {
    it('are stored at creation and returned by getInstance and listInstances; none are left out', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'tagged', { tags: { tenant: 'acme', region: 'eu:west' } });
        await start(backend, hub, 'plain');
        assert.deepEqual((await backend.getInstance(hub, 'tagged'))?.tags, { tenant: 'acme', region: 'eu:west' });
        assert.equal((await backend.getInstance(hub, 'plain'))?.tags, undefined);
        const page = await backend.listInstances(hub, { pageSize: 10, includeInput: false });
        assert.deepEqual(page.instances.map((record) => [record.instanceId, record.tags]), [['tagged', { tenant: 'acme', region: 'eu:west' }], ['plain', undefined]]);
      }));

    it('filter list, count and histogram: every tag must match, combined with the other filters and paging', () =>
      withBackend(open, async (backend, hub) => {
        await startIn(backend, hub, 'a1', 'Running', { name: 'A', tags: { tenant: 'acme', tier: 'gold' } });
        await startIn(backend, hub, 'a2', 'Completed', { name: 'A', tags: { tenant: 'acme', tier: 'gold' } });
        await start(backend, hub, 'a3', { name: 'B', tags: { tenant: 'acme', tier: 'gold' } });
        await start(backend, hub, 'a4', { name: 'A', tags: { tenant: 'acme' } });
        await start(backend, hub, 'b1', { name: 'A', tags: { tenant: 'bolt', tier: 'gold' } });
        await start(backend, hub, 'c1', { name: 'A' });

        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), ['a1', 'a2', 'a3', 'a4']);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }, 1), ['a1', 'a2', 'a3', 'a4'], 'with continuation tokens');
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme', tier: 'gold' } }), ['a1', 'a2', 'a3']);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme', tier: 'gold' }, name: 'A' }), ['a1', 'a2']);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tier: 'gold' }, statuses: ['Running', 'Pending'] }), ['a1', 'a3', 'b1']);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tier: 'gold' }, instanceIdPrefix: 'b' }), ['b1']);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme', tier: 'silver' } }), []);
        assert.deepEqual(await listedIds(backend, hub, { tags: { nobody: 'acme' } }), []);
        assert.deepEqual(await listedIds(backend, hub, { tags: {} }), ['a1', 'a2', 'a3', 'a4', 'b1', 'c1'], 'no tags: no filter');

        assert.deepEqual(await backend.countInstances(hub, { tags: { tenant: 'acme' } }), { Running: 1, Completed: 1, Pending: 2 });
        assert.deepEqual(await backend.countInstances(hub, { tags: { tier: 'gold' }, statuses: ['Pending'] }), { Pending: 2 });
        const histogram = await backend.instanceHistogram(hub, { tags: { tenant: 'bolt' }, origin: 0, intervalMs: 2 ** 50 });
        assert.deepEqual(histogram.map((count) => [count.status, count.count]), [['Pending', 1]]);
      }));

    it('page a tag filter in listing order both ways, across equal creation times, replacements and setTags, with the other filters', () =>
      withBackend(open, async (backend, hub) => {
        // Batches of concurrent starts, until several instances share a creation time (the row sequence
        // alone orders them then); every third is acme's, every other gold.
        let created = 0;
        const sharedTimes = async () => {
          const times = (await backend.listInstances(hub, { pageSize: 1000, includeInput: false })).instances.map((record) => record.createdAt);
          return times.length - new Set(times).size;
        };
        while (created < 36 || (await sharedTimes()) < 3) {
          assert.ok(created < 360, 'no two starts of a batch shared a creation time');
          await Promise.all(Array.from({ length: 12 }, (_, offset) => {
            const n = created + offset;
            const tags: Record<string, string> = { tenant: n % 3 === 0 ? 'acme' : 'bolt', ...(n % 2 === 0 && { tier: 'gold' }) };
            return start(backend, hub, `i-${String(n).padStart(3, '0')}`, { name: n % 4 === 0 ? 'A' : 'B', tags });
          }));
          created += 12;
        }
        // Every fifth completes, and i-003 with them, to be replaced by a new start, which moves it to the end;
        // i-006 runs and a step sets its tags, which leaves it where it is; the others stay Pending, leased.
        for (const item of await claimAll(backend, hub)) {
          const id = item.instance.instanceId;
          if (id === 'i-006') {
            await commitOk(backend, hub, item, stepCommit(item, 'Running', [{ op: 'setTags', set: { tier: 'silver' }, remove: [] }]));
          } else if (id === 'i-003' || Number(id.slice(2)) % 5 === 1) {
            await commitOk(backend, hub, item, stepCommit(item, 'Completed'));
          }
        }
        await start(backend, hub, 'i-003', { name: 'B', tags: { tenant: 'acme' } });

        const all = (await backend.listInstances(hub, { pageSize: 1000, includeInput: false })).instances;
        const cut = all[Math.floor(all.length / 2)]?.createdAt ?? 0;
        const queries: InstanceQuery[] = [
          { tags: { tenant: 'acme' } },
          { tags: { tier: 'gold' } },
          { tags: { tenant: 'acme', tier: 'gold' } },
          { tags: { tier: 'silver', tenant: 'acme' } },
          { tags: { tenant: 'acme' }, statuses: ['Pending'] },
          { tags: { tenant: 'acme' }, statuses: ['Running', 'Completed'] },
          { tags: { tier: 'gold' }, name: 'A' },
          { tags: { tier: 'gold' }, createdFrom: cut },
          { tags: { tenant: 'bolt' }, createdTo: cut, instanceIdPrefix: 'i-01' },
        ];
        for (const query of queries) {
          const expected = all.filter((record) =>
            Object.entries(query.tags ?? {}).every(([key, value]) => record.tags?.[key] === value)
            && (query.statuses === undefined || query.statuses.includes(record.status))
            && (query.name === undefined || record.name === query.name)
            && (query.createdFrom === undefined || record.createdAt >= query.createdFrom)
            && (query.createdTo === undefined || record.createdAt <= query.createdTo)
            && record.instanceId.startsWith(query.instanceIdPrefix ?? '')).map((record) => record.instanceId);
          assert.ok(expected.length > 0, `${JSON.stringify(query)} matches some instances`);
          assert.deepEqual(await listedIds(backend, hub, query, 3), expected, `${JSON.stringify(query)} oldest first`);
          assert.deepEqual(await listedIds(backend, hub, { ...query, orderBy: 'newest' }, 3), [...expected].reverse(), `${JSON.stringify(query)} newest first`);
        }
      }));

    it('purgeInstances by tag deletes only finished matching instances, and their tags with them', () =>
      withBackend(open, async (backend, hub) => {
        await startIn(backend, hub, 'done', 'Completed', { tags: { tenant: 'acme' } });
        await startIn(backend, hub, 'failed-other', 'Failed', { tags: { tenant: 'bolt' } });
        await startIn(backend, hub, 'running', 'Running', { tags: { tenant: 'acme' } });
        assert.equal(await backend.purgeInstances(hub, { tags: { tenant: 'acme' } }, 10), 1);
        assert.deepEqual(await listedIds(backend, hub, {}), ['failed-other', 'running']);
        // A new instance with the purged one's id starts without its tags.
        await start(backend, hub, 'done');
        assert.equal((await backend.getInstance(hub, 'done'))?.tags, undefined);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), ['running']);
      }));

    it('a finished instance replaced by a new start takes the new start\'s tags only', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'again', { tags: { tenant: 'acme', old: 'yes' } });
        const item = await claimOnly(backend, hub, 'again');
        await commitOk(backend, hub, item, stepCommit(item, 'Completed'));
        await start(backend, hub, 'again', { tags: { tenant: 'bolt' } });
        assert.deepEqual((await backend.getInstance(hub, 'again'))?.tags, { tenant: 'bolt' });
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), []);
        assert.deepEqual(await listedIds(backend, hub, { tags: { old: 'yes' } }), []);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'bolt' } }), ['again']);
      }));

    it('a step\'s setTags op sets and removes tags in the status and the tag filter alike', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'own', { tags: { tenant: 'acme', stage: 'new' } });
        let item = await claimOnly(backend, hub, 'own');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [{ op: 'setTags', set: { stage: 'paid', region: 'eu' }, remove: ['tenant'] }]));
        assert.deepEqual((await backend.getInstance(hub, 'own'))?.tags, { region: 'eu', stage: 'paid' });
        assert.deepEqual(await listedIds(backend, hub, { tags: { stage: 'paid', region: 'eu' } }), ['own']);
        assert.deepEqual(await listedIds(backend, hub, { tags: { stage: 'new' } }), [], 'the old value no longer matches');
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), [], 'the removed tag no longer matches');

        await start(backend, hub, 'emptied', { tags: { tenant: 'acme' } });
        item = await claimOnly(backend, hub, 'emptied');
        await commitOk(backend, hub, item, stepCommit(item, 'Running', [{ op: 'setTags', set: {}, remove: ['tenant', 'absent'] }]));
        assert.equal((await backend.getInstance(hub, 'emptied'))?.tags, undefined, 'no tags left: none shown');
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), []);
      }));

    it('deleteHub removes the tags with the hub', () =>
      withBackend(open, async (backend, hub) => {
        await start(backend, hub, 'gone', { tags: { tenant: 'acme' } });
        assert.equal(await backend.deleteHub(hub), true);
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), []);
        await start(backend, hub, 'gone');
        assert.deepEqual(await listedIds(backend, hub, { tags: { tenant: 'acme' } }), [], 'no tag row outlived its hub');
      }));
  });
}
