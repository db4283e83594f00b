/** instanceHistogram: instances per interval of creation time and per status, for every filter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, HistogramCount, HistogramRequest, InstanceRecord } from '../../../backend/backend.js';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../../core/history.js';
import { InvalidArgumentError } from '../../../errors.js';
import { SEEKED_INTERVALS } from '../../../backend/histogram.js';
import { clockPast, start, startAllIn, withBackend, type OpenBackend } from '../fixtures.js';

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
