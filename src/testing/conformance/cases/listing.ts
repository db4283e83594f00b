/** listInstances and countInstances: every filter, alone and combined, paging, tokens. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, InstanceQuery, InstanceRecord, ListOrder } from '../../../backend/backend.js';
import type { RuntimeStatus } from '../../../core/history.js';
import { InvalidArgumentError } from '../../../errors.js';
import { PREFIX_WALK } from '../../../backend/instance-listing.js';
import {
  claimAll,
  clockPast,
  commitOk,
  fullCounts,
  message,
  plain,
  raised,
  settle,
  start,
  stepCommit,
  withBackend,
  type OpenBackend,
} from '../fixtures.js';

const FIRST_BATCH: Record<string, RuntimeStatus> = {
  'order-1': 'Running',
  'order-2': 'Running',
  'order-3': 'Completed',
  'order-4': 'Failed',
  'user-1': 'Pending',
  'user-2': 'Terminated',
};
const SECOND_BATCH: Record<string, RuntimeStatus> = {
  'order-5': 'Completed',
  'order-6': 'Suspended',
  'user-3': 'Running',
  'ab%c': 'ContinuedAsNew',
  'ab_c': 'Completed',
  'abXc': 'Running',
  'ABxc': 'Running',
};
const NAMES: Record<string, string> = { 'order-5': 'Beta', 'order-6': 'Beta', 'user-1': 'Beta', 'user-2': 'Beta', 'ab%c': 'Gamma', 'ab_c': 'Gamma' };
const TOUCHED_LATER = ['order-2', 'user-3'];

interface Population {
  /** Every instance in listing order: by creation time, then creation order. */
  records: InstanceRecord[];
  firstBatchEnd: number;
  secondBatchStart: number;
  touchedFrom: number;
}

/** Two batches created at distinct times, settled in various statuses, two of them updated later still. */
async function populate(backend: Backend, hub: string): Promise<Population> {
  const create = async (batch: Record<string, RuntimeStatus>): Promise<void> => {
    for (const id of Object.keys(batch)) await start(backend, hub, id, { name: NAMES[id] ?? 'Alpha', input: JSON.stringify(`input of ${id}`) });
    await settle(backend, hub, batch);
  };
  await create(FIRST_BATCH);
  const firstBatchEnd = await backend.now();
  const secondBatchStart = await clockPast(backend, firstBatchEnd);
  await create(SECOND_BATCH);
  const touchedFrom = await clockPast(backend, await backend.now());
  for (const id of TOUCHED_LATER) await backend.sendMessage(hub, message(id, raised('touch')), ['Running']);
  await settle(backend, hub, Object.fromEntries(TOUCHED_LATER.map((id) => [id, 'Running'])));
  const records: InstanceRecord[] = [];
  for (const id of [...Object.keys(FIRST_BATCH), ...Object.keys(SECOND_BATCH)]) {
    const record = await backend.getInstance(hub, id);
    assert.ok(record);
    records.push(record);
  }
  // Stable sort: equal creation times keep creation order, as the backends' row sequences do.
  records.sort((a, b) => a.createdAt - b.createdAt);
  return { records, firstBatchEnd, secondBatchStart, touchedFrom };
}

function matches(record: InstanceRecord, query: InstanceQuery): boolean {
  return (query.statuses === undefined || query.statuses.includes(record.status))
    && (query.createdFrom === undefined || record.createdAt >= query.createdFrom)
    && (query.createdTo === undefined || record.createdAt <= query.createdTo)
    && (query.lastUpdatedFrom === undefined || record.lastUpdatedAt >= query.lastUpdatedFrom)
    && (query.lastUpdatedTo === undefined || record.lastUpdatedAt <= query.lastUpdatedTo)
    && (query.name === undefined || record.name === query.name)
    && (query.instanceIdPrefix === undefined || record.instanceId.startsWith(query.instanceIdPrefix));
}

function queries(population: Population): [string, InstanceQuery, number][] {
  const { records, firstBatchEnd, secondBatchStart, touchedFrom } = population;
  const second = records[1]!.createdAt;
  const eighth = records[7]!.createdAt;
  return [
    ['no filter', {}, 13],
    ['one status', { statuses: ['Running'] }, 5],
    ['two statuses', { statuses: ['Running', 'Completed'] }, 8],
    ['three statuses', { statuses: ['Failed', 'Pending', 'Terminated'] }, 3],
    ['created from', { createdFrom: secondBatchStart }, 7],
    ['created to', { createdTo: firstBatchEnd }, 6],
    ['created range, bounds included', { createdFrom: second, createdTo: eighth }, -1],
    ['last updated from', { lastUpdatedFrom: touchedFrom }, 2],
    ['last updated to', { lastUpdatedTo: touchedFrom - 1 }, 11],
    ['name', { name: 'Alpha' }, 7],
    ['id prefix', { instanceIdPrefix: 'order-' }, 6],
    ['id prefix with %, literally', { instanceIdPrefix: 'ab%' }, 1],
    ['id prefix with _, literally', { instanceIdPrefix: 'ab_' }, 1],
    ['id prefix, case-sensitive', { instanceIdPrefix: 'ab' }, 3],
    ['id prefix matching nothing', { instanceIdPrefix: 'zzz' }, 0],
    ['every filter combined', {
      statuses: ['Running', 'Completed'],
      createdFrom: records[0]!.createdAt,
      createdTo: firstBatchEnd,
      lastUpdatedFrom: touchedFrom,
      lastUpdatedTo: touchedFrom + 3_600_000,
      name: 'Alpha',
      instanceIdPrefix: 'order-',
    }, 1],
    ['statuses, name and prefix', { statuses: ['Running', 'Completed', 'Suspended'], name: 'Beta', instanceIdPrefix: 'order' }, 2],
  ];
}

async function listAll(backend: Backend, hub: string, query: InstanceQuery & { orderBy?: ListOrder }, pageSize: number, includeInput = false): Promise<InstanceRecord[]> {
  const all: InstanceRecord[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await backend.listInstances(hub, { ...query, pageSize, includeInput, continuationToken });
    assert.ok(page.instances.length <= pageSize);
    if (page.continuationToken !== undefined) assert.equal(page.instances.length, pageSize, 'only the last page is short');
    all.push(...page.instances);
    continuationToken = page.continuationToken;
    assert.ok(all.length <= 1000, 'paging comes to an end');
  } while (continuationToken !== undefined);
  return all;
}

function ids(records: InstanceRecord[]): string[] {
  return records.map((record) => record.instanceId);
}

export function describeListing(open: OpenBackend): void {
  describe('listInstances and countInstances', () => {
    it('answer every filter, alone and combined, in creation order, in any page size, with matching counts', () =>
      withBackend(open, async (backend, hub) => {
        const population = await populate(backend, hub);
        for (const [label, query, expectedCount] of queries(population)) {
          const expected = population.records.filter((record) => matches(record, query));
          if (expectedCount >= 0) assert.equal(expected.length, expectedCount, `${label}: the fixture is as intended`);
          const onePage = await backend.listInstances(hub, { ...query, pageSize: 100, includeInput: false });
          assert.deepEqual(ids(onePage.instances), ids(expected), label);
          assert.equal(onePage.continuationToken, undefined, `${label}: no token after the last page`);
          assert.deepEqual(ids(await listAll(backend, hub, query, 2)), ids(expected), `${label}, in pages of 2`);
          assert.deepEqual(ids(await listAll(backend, hub, query, 1)), ids(expected), `${label}, in pages of 1`);
          const newestFirst = { ...query, orderBy: 'newest' as const };
          const reversed = ids(expected).reverse();
          assert.deepEqual(ids((await backend.listInstances(hub, { ...newestFirst, pageSize: 100, includeInput: false })).instances), reversed, `${label}, newest first`);
          assert.deepEqual(ids(await listAll(backend, hub, newestFirst, 2)), reversed, `${label}, newest first in pages of 2`);
          assert.deepEqual(ids(await listAll(backend, hub, { ...query, orderBy: 'oldest' }, 3)), ids(expected), `${label}, oldest first named`);

          const counted: Record<RuntimeStatus, number> = fullCounts({});
          for (const record of expected) counted[record.status] += 1;
          assert.deepEqual(fullCounts(await backend.countInstances(hub, query)), counted, `${label}: counts`);
        }
      }));

    it('return the same records as getInstance, with inputs only when asked', () =>
      withBackend(open, async (backend, hub) => {
        const { records } = await populate(backend, hub);
        assert.deepEqual(plain(await listAll(backend, hub, {}, 5, true)), plain(records));
        const withoutInput = await listAll(backend, hub, {}, 5, false);
        assert.deepEqual(plain(withoutInput), plain(records.map(({ input: _input, ...rest }) => rest)));
      }));

    it('list an id prefix literally and case-sensitively, in order, where its matches lie beyond the first instances in listing order', () =>
      withBackend(open, async (backend, hub) => {
        // Matches at both ends of more instances than a listing walks before it reads the prefix's range.
        const early = ['x*[?]-a', 'x*[?]-b', 'x*[?]%_c', 'X*[?]-d', 'x*[?]-e'];
        const late = ['x*[?]-f', 'x*[?]-g', 'x*]-h', 'x*[?]-i'];
        for (const id of early) await start(backend, hub, id);
        for (let first = 0; first < PREFIX_WALK + 100; first += 100) {
          await Promise.all(Array.from({ length: 100 }, (_, k) => start(backend, hub, `filler-${first + k}`)));
        }
        for (const id of late) await start(backend, hub, id);
        const all = [...early, ...late];
        for (const prefix of ['x*[?]-', 'x*[?]', 'x*', 'X*', 'x*[?]%_']) {
          const expected = all.filter((id) => id.startsWith(prefix));
          for (const pageSize of [2, 3, 100]) {
            assert.deepEqual(ids(await listAll(backend, hub, { instanceIdPrefix: prefix }, pageSize)), expected, `${prefix}, pages of ${pageSize}`);
            assert.deepEqual(ids(await listAll(backend, hub, { instanceIdPrefix: prefix, orderBy: 'newest' }, pageSize)), [...expected].reverse(),
              `${prefix}, newest first, pages of ${pageSize}`);
          }
        }
      }));

    it('page without repeating or skipping an instance while new instances are created between pages', () =>
      withBackend(open, async (backend, hub) => {
        const original = Array.from({ length: 20 }, (_, i) => `before-${String(i).padStart(2, '0')}`);
        for (const id of original) await start(backend, hub, id);
        const seen: string[] = [];
        let continuationToken: string | undefined;
        let added = 0;
        do {
          const page = await backend.listInstances(hub, { pageSize: 4, includeInput: false, continuationToken });
          seen.push(...ids(page.instances));
          continuationToken = page.continuationToken;
          for (let i = 0; i < 2; i++) await start(backend, hub, `during-${added++}`);
        } while (continuationToken !== undefined && added < 200);
        assert.equal(new Set(seen).size, seen.length, 'no instance is listed twice');
        for (const id of original) assert.ok(seen.includes(id), `${id} is listed`);
        assert.deepEqual(seen.slice(0, original.length), original, 'in creation order');
      }));

    it('page newest first without repeating or skipping an instance while new ones are created between pages', () =>
      withBackend(open, async (backend, hub) => {
        const original = Array.from({ length: 12 }, (_, i) => `before-${String(i).padStart(2, '0')}`);
        for (const id of original) await start(backend, hub, id);
        const seen: string[] = [];
        let continuationToken: string | undefined;
        let added = 0;
        do {
          const page = await backend.listInstances(hub, { pageSize: 5, includeInput: false, continuationToken, orderBy: 'newest' });
          seen.push(...ids(page.instances));
          continuationToken = page.continuationToken;
          for (let i = 0; i < 2; i++) await start(backend, hub, `during-${added++}`);
        } while (continuationToken !== undefined && added < 200);
        // Created after the first page, the others are newer than every position the walk goes on from.
        assert.deepEqual(seen, [...original].reverse(), 'each original once, newest first, and none created meanwhile');
      }));

    it('refuse a continuation token in the other order than the one it was given in', () =>
      withBackend(open, async (backend, hub) => {
        for (const id of ['o-1', 'o-2', 'o-3']) await start(backend, hub, id);
        const oldest = await backend.listInstances(hub, { pageSize: 1, includeInput: false });
        const newest = await backend.listInstances(hub, { pageSize: 1, includeInput: false, orderBy: 'newest' });
        assert.deepEqual([ids(oldest.instances), ids(newest.instances)], [['o-1'], ['o-3']]);
        await assert.rejects(
          backend.listInstances(hub, { pageSize: 1, includeInput: false, continuationToken: oldest.continuationToken, orderBy: 'newest' }),
          (error: unknown) => error instanceof InvalidArgumentError && /oldest first/.test(error.message),
        );
        await assert.rejects(
          backend.listInstances(hub, { pageSize: 1, includeInput: false, continuationToken: newest.continuationToken }),
          (error: unknown) => error instanceof InvalidArgumentError && /newest first/.test(error.message),
        );
        const next = await backend.listInstances(hub, { pageSize: 1, includeInput: false, continuationToken: newest.continuationToken, orderBy: 'newest' });
        assert.deepEqual(ids(next.instances), ['o-2']);
      }));

    it('end a page once its payloads would pass the byte bound, carrying on from there, with one instance at least', () =>
      withBackend(open, async (backend, hub) => {
        const BOUND = 20_000;
        // Sizes in UTF-8 bytes, not characters: 'é' is two bytes. One instance alone is over the bound.
        const inputSizes = [3000, 9000, 500, 12000, 26000, 100, 100, 7000, 7000, 7000, 1, 19999, 2];
        for (const [index, size] of inputSizes.entries()) {
          await start(backend, hub, `big-${String(index).padStart(2, '0')}`, { input: JSON.stringify('é'.repeat(Math.floor(size / 2))) });
        }
        // Outputs and custom statuses count too.
        for (const item of await claimAll(backend, hub)) {
          if (!['big-02', 'big-05'].includes(item.instance.instanceId)) continue;
          await commitOk(backend, hub, item, stepCommit(item, 'Completed', [], { status: 'Completed', output: JSON.stringify('o'.repeat(4000)), customStatus: JSON.stringify('c'.repeat(3000)) }));
        }
        const payloadBytes = (record: InstanceRecord): number =>
          [record.input, record.output, record.customStatus].reduce((sum, text) => sum + (text === undefined ? 0 : Buffer.byteLength(text)), 0);
        const all = (await backend.listInstances(hub, { pageSize: 100, includeInput: true, maxPayloadBytes: 10_000_000 })).instances;
        assert.equal(all.length, inputSizes.length);

        for (const includeInput of [true, false]) {
          for (const pageSize of [100, 3]) {
            const label = `includeInput ${includeInput}, pageSize ${pageSize}`;
            const pages: InstanceRecord[][] = [];
            let continuationToken: string | undefined;
            do {
              const page = await backend.listInstances(hub, { pageSize, includeInput, maxPayloadBytes: BOUND, continuationToken });
              assert.ok(page.instances.length >= 1, `${label}: a page holds one instance at least`);
              pages.push(page.instances);
              continuationToken = page.continuationToken;
            } while (continuationToken !== undefined && pages.length < 50);
            const listed = pages.flat();
            assert.deepEqual(ids(listed), ids(all), `${label}: every instance once, in order`);
            let position = 0;
            for (const page of pages) {
              const bytes = page.reduce((sum, record) => sum + payloadBytes(record), 0);
              assert.ok(page.length === 1 || bytes <= BOUND, `${label}: a page of ${page.length} holds ${bytes} bytes`);
              position += page.length;
              const next = all[position];
              // Greedy: a page ends at the count, at the last instance, or where the next would pass the bound.
              if (page.length < pageSize && next !== undefined) {
                const nextBytes = payloadBytes(includeInput ? next : { ...next, input: undefined });
                assert.ok(bytes + nextBytes > BOUND, `${label}: the page ended at ${bytes} bytes though the next instance (${nextBytes}) fitted`);
              }
            }
            if (includeInput && pageSize === 100) assert.ok(pages.length >= 5, `${label}: the bound split the listing (${pages.length} pages)`);
            if (!includeInput && pageSize === 100) assert.equal(pages.length, 1, `${label}: without inputs the outputs fit one page`);
          }
        }
      }));

    it('refuse a malformed or tampered continuation token with InvalidArgumentError', () =>
      withBackend(open, async (backend, hub) => {
        const encode = (text: string): string => Buffer.from(text).toString('base64url');
        for (const token of ['not a token!', '%%%', 'abc', encode('{"a":1}'), encode('[1]'), encode('not json'), encode('[1.5,"x"]'), encode('null'), encode('[1,2,"oldest"]'), encode('[1,2,3]')]) {
          await assert.rejects(
            backend.listInstances(hub, { pageSize: 10, includeInput: false, continuationToken: token }),
            InvalidArgumentError,
            `token ${JSON.stringify(token)}`,
          );
        }
      }));

    it('count nothing in an empty hub', () =>
      withBackend(open, async (backend, hub) => {
        assert.deepEqual(fullCounts(await backend.countInstances(hub, {})), fullCounts({}));
        assert.deepEqual(await backend.listInstances(hub, { pageSize: 10, includeInput: true }), { instances: [] });
      }));
  });
}
