/** instanceHistogram: instances per interval of creation time and per status, for every filter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, HistogramCount, HistogramRequest, InstanceRecord } from '../../../backend/backend.js';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../../core/history.js';
import { InvalidArgumentError } from '../../../errors.js';
import { ROLLUP_BUCKET_MS, rollupPlan, SEEKED_INTERVALS } from '../../../backend/histogram.js';
import {
  claimOnly, clockPast, commitOk, message, raised, start, startAllIn, startRequest, stepCommit, terminated, withBackend, type OpenBackend,
} from '../fixtures.js';

const EARLY: Record<string, RuntimeStatus> = { 'order-1': 'Running', 'order-2': 'Completed', 'user-1': 'Failed', 'user-2': 'Completed' };
const LATE: Record<string, RuntimeStatus> = { 'order-3': 'Completed', 'order-4': 'Suspended', 'user-3': 'Pending' };
const NAMES: Record<string, string> = { 'order-2': 'Beta', 'order-4': 'Beta', 'user-3': 'Beta' };

/** Two batches at distinct creation times; returns every record, oldest first. */
async function populate(backend: Backend, hub: string): Promise<InstanceRecord[]> {
  for (const batch of [EARLY, LATE]) {
    for (const [id, status] of Object.entries(batch)) await startAllIn(backend, hub, { [id]: status }, { name: NAMES[id] ?? 'Alpha' });
    await clockPast(backend, await backend.now());
  }
  const records: InstanceRecord[] = [];
  for (const id of [...Object.keys(EARLY), ...Object.keys(LATE)]) {
    const record = await backend.getInstance(hub, id, { includeInput: false });
    assert.ok(record);
    records.push(record);
  }
  return records.sort((a, b) => a.createdAt - b.createdAt);
}

/** What the histogram must answer, worked out from the records themselves. */
function expectedHistogram(records: InstanceRecord[], request: HistogramRequest): HistogramCount[] {
  const counts = new Map<string, HistogramCount>();
  for (const record of records) {
    const counted = record.createdAt >= request.origin
      && (request.createdFrom === undefined || record.createdAt >= request.createdFrom)
      && (request.createdTo === undefined || record.createdAt <= request.createdTo)
      && (request.statuses === undefined || request.statuses.includes(record.status))
      && (request.name === undefined || record.name === request.name)
      && (request.instanceIdPrefix === undefined || record.instanceId.startsWith(request.instanceIdPrefix));
    if (!counted) continue;
    const intervalStart = request.origin + Math.floor((record.createdAt - request.origin) / request.intervalMs) * request.intervalMs;
    const key = `${intervalStart} ${record.status}`;
    const entry = counts.get(key) ?? { intervalStart, status: record.status, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => a.intervalStart - b.intervalStart || RUNTIME_STATUSES.indexOf(a.status) - RUNTIME_STATUSES.indexOf(b.status));
}

export function describeHistogram(open: OpenBackend): void {
  describe('instanceHistogram', () => {
    it('counts per interval and status for every filter, in interval then status order', () =>
      withBackend(open, async (backend, hub) => {
        const records = await populate(backend, hub);
        const first = records[0]!.createdAt;
        const last = records[records.length - 1]!.createdAt;
        const lateStart = records[Object.keys(EARLY).length]!.createdAt;
        const requests: [string, HistogramRequest][] = [
          ['one interval holding everything', { origin: first, intervalMs: last - first + 1 }],
          ['one millisecond each', { origin: first, intervalMs: 1 }],
          ['an origin before the first instance', { origin: first - 10_000, intervalMs: 7_000 }],
          ['an origin after the early batch leaves it out', { origin: lateStart, intervalMs: 60_000 }],
          ['created from, later than the origin', { origin: first - 5, intervalMs: 1000, createdFrom: lateStart }],
          ['created to', { origin: first, intervalMs: 1000, createdTo: lateStart - 1 }],
          ['statuses', { origin: first, intervalMs: 1, statuses: ['Completed', 'Pending'] }],
          ['name', { origin: first, intervalMs: 1, name: 'Beta' }],
          ['id prefix', { origin: first, intervalMs: 1, instanceIdPrefix: 'order-' }],
          ['every filter', { origin: first, intervalMs: 2, statuses: ['Completed', 'Suspended'], name: 'Beta', instanceIdPrefix: 'order', createdTo: last }],
          ['nothing matches', { origin: first, intervalMs: 1, instanceIdPrefix: 'zzz' }],
          ['an origin after every instance', { origin: last + 1, intervalMs: 1000 }],
        ];
        for (const [label, request] of requests) {
          assert.deepEqual(await backend.instanceHistogram(hub, request), expectedHistogram(records, request), label);
        }
        const whole = await backend.instanceHistogram(hub, { origin: first, intervalMs: last - first + 1 });
        assert.equal(whole.reduce((sum, entry) => sum + entry.count, 0), records.length, 'every instance is counted once');
      }));

    it('counts intervals beyond the ones it seeks one by one', () =>
      withBackend(open, async (backend, hub) => {
        // One Pending instance per millisecond: more non-empty one-millisecond intervals than are sought singly.
        const records: InstanceRecord[] = [];
        for (let i = 0; i < SEEKED_INTERVALS + 20; i++) {
          await start(backend, hub, `one-${i}`);
          const record = await backend.getInstance(hub, `one-${i}`, { includeInput: false });
          assert.ok(record);
          records.push(record);
          await clockPast(backend, record.createdAt);
        }
        const first = records[0]!.createdAt;
        const last = records[records.length - 1]!.createdAt;
        for (const request of [
          { origin: first, intervalMs: 1 },
          { origin: first - 1, intervalMs: 1, createdFrom: first + 3, createdTo: last - 2, statuses: ['Pending' as const] },
        ]) {
          const histogram = await backend.instanceHistogram(hub, request);
          assert.deepEqual(histogram, expectedHistogram(records, request), JSON.stringify(request));
        }
        assert.equal((await backend.instanceHistogram(hub, { origin: first, intervalMs: 1 })).length, records.length);
      }));

    it('answers from its rollup of whole minutes what the instances say, after every kind of write', () =>
      withBackend(open, async (backend, hub) => {
        const ids = ['pending', 'running', 'done', 'failed', 'suspended', 'gone', 'purged-1', 'purged-2', 'next'];
        // Scheduled later, so it stays Pending and unclaimed while the others are claimed one by one.
        await start(backend, hub, 'pending', { scheduledStartAt: (await backend.now()) + 3_600_000 });
        await startAllIn(backend, hub, {
          running: 'Running', done: 'Completed', failed: 'Failed', suspended: 'Suspended',
          gone: 'Completed', 'purged-1': 'Completed', 'purged-2': 'Terminated', next: 'Running',
        });
        const agrees = async (label: string) => {
          const records: InstanceRecord[] = [];
          for (const id of ids) {
            const record = await backend.getInstance(hub, id, { includeInput: false });
            if (record !== undefined) records.push(record);
          }
          if (records.length === 0) {
            assert.deepEqual(await backend.instanceHistogram(hub, { origin: 0, intervalMs: ROLLUP_BUCKET_MS }), [], label);
            return;
          }
          const times = records.map((record) => record.createdAt);
          const first = Math.min(...times);
          const last = Math.max(...times);
          const minute = Math.floor(first / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
          const requests: HistogramRequest[] = [
            { origin: minute - ROLLUP_BUCKET_MS, intervalMs: ROLLUP_BUCKET_MS },
            { origin: minute - 2 * ROLLUP_BUCKET_MS, intervalMs: 2 * ROLLUP_BUCKET_MS, statuses: ['Completed', 'Running'] },
            // Bucket edges not aligned: the partial minutes at the ends hold instances.
            { origin: minute - ROLLUP_BUCKET_MS, intervalMs: ROLLUP_BUCKET_MS, createdFrom: first + 1 },
            { origin: minute - ROLLUP_BUCKET_MS, intervalMs: ROLLUP_BUCKET_MS, createdTo: last - 1 },
            { origin: minute - ROLLUP_BUCKET_MS, intervalMs: 3 * ROLLUP_BUCKET_MS, createdFrom: minute - ROLLUP_BUCKET_MS + 7, createdTo: last + 2 * ROLLUP_BUCKET_MS + 3 },
          ];
          for (const request of requests) {
            assert.ok(rollupPlan(request), `${label}: the rollup answers ${JSON.stringify(request)}`);
            assert.deepEqual(await backend.instanceHistogram(hub, request), expectedHistogram(records, request), `${label}: ${JSON.stringify(request)}`);
          }
        };
        await agrees('after creates and step commits');

        await backend.sendMessage(hub, message('running', terminated('enough')), ['Running']);
        const terminating = await claimOnly(backend, hub, 'running');
        await commitOk(backend, hub, terminating, stepCommit(terminating, 'Terminated'));
        await agrees('after a termination');

        await backend.sendMessage(hub, message('failed', raised('rewind')), ['Failed']);
        const rewound = await claimOnly(backend, hub, 'failed');
        await commitOk(backend, hub, rewound, stepCommit(rewound, 'Running'));
        await agrees('after a rewind of a failed instance');

        await backend.sendMessage(hub, message('next', raised('go')), ['Running']);
        const continued = await claimOnly(backend, hub, 'next');
        await commitOk(backend, hub, continued, stepCommit(continued, 'ContinuedAsNew'));
        await agrees('after continueAsNew');

        await clockPast(backend, await backend.now());
        assert.deepEqual(await backend.createInstance(hub, startRequest('done')), { created: true });
        await agrees('after a restart replaced a finished instance');

        assert.equal((await backend.purgeInstance(hub, 'gone')).purged, true);
        assert.equal(await backend.purgeInstances(hub, { instanceIdPrefix: 'purged-' }, 1), 2);
        await agrees('after purges');

        assert.equal(await backend.deleteHub(hub), true);
        ids.length = 0;
        await agrees('after the hub was deleted');
      }));

    it('answers nothing for an empty hub', () =>
      withBackend(open, async (backend, hub) => {
        assert.deepEqual(await backend.instanceHistogram(hub, { origin: 0, intervalMs: 3_600_000 }), []);
      }));

    it('refuses an interval that is not a whole number of milliseconds of at least 1', () =>
      withBackend(open, async (backend, hub) => {
        for (const intervalMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await assert.rejects(backend.instanceHistogram(hub, { origin: 0, intervalMs }), InvalidArgumentError, `interval ${intervalMs}`);
        }
        await assert.rejects(backend.instanceHistogram(hub, { origin: 0.5, intervalMs: 1 }), InvalidArgumentError, 'a fractional origin');
      }));
  });
}
