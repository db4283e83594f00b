/** `GET …/histogram` over real HTTP: instances created per interval, by status, for the list's filter. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, assertErrorBody, finishedInstance, startTestServer, type TestServer } from './http-harness.js';

let server: TestServer;
let created: Record<string, number>;
before(async () => {
  server = await startTestServer();
  created = {};
  for (const [id, name] of [['a-1', 'HelloWorld'], ['a-2', 'AlwaysFails'], ['b-1', 'HelloWorld']] as const) {
    await finishedInstance(server.client, name, undefined, id);
    created[id] = Date.parse((await server.client.listInstances({ instanceIdPrefix: id })).instances[0]!.createdTime);
  }
});
after(async () => {
  await server.close();
});

interface Interval {
  start: string;
  counts: Record<string, number>;
}

function total(intervals: Interval[], status?: string): number {
  return intervals.reduce((sum, interval) => sum + Object.entries(interval.counts).reduce((n, [key, count]) => n + (status === undefined || key === status ? count : 0), 0), 0);
}

describe('GET /runtime/webhooks/durabletask/histogram', () => {
  test('without a range: from the first instance to now, every interval present, each instance counted once in its own', async () => {
    const answer = await server.request('GET', `${BASE}/histogram?intervalSeconds=1`);
    assert.equal(answer.status, 200);
    const { from, to, intervalSeconds, intervals } = answer.body as { from: string; to: string; intervalSeconds: number; intervals: Interval[] };
    assert.equal(intervalSeconds, 1);
    assert.equal(Date.parse(from) % 1000, 0, 'intervals start on whole seconds');
    assert.ok(Date.parse(from) <= created['a-1']! && created['a-1']! < Date.parse(from) + 1000, 'the first interval holds the first instance');
    assert.ok(Date.parse(to) >= created['b-1']!);
    intervals.forEach((interval, index) => assert.equal(Date.parse(interval.start), Date.parse(from) + index * 1000, 'one interval after the other'));
    assert.equal(total(intervals, 'Completed'), 2);
    assert.equal(total(intervals, 'Failed'), 1);
    for (const [id, time] of Object.entries(created)) {
      const holder = intervals.find((interval) => Date.parse(interval.start) <= time && time < Date.parse(interval.start) + 1000);
      assert.ok(holder && total([holder]) >= 1, `${id}'s interval counts it`);
    }
  });

  test('a round interval is chosen to fit maxIntervals (default 60)', async () => {
    const from = '2026-01-01T00:00:00Z';
    const day = await server.request('GET', `${BASE}/histogram?createdTimeFrom=${from}&createdTimeTo=2026-01-02T00:00:00Z`);
    assert.equal(day.body.intervalSeconds, 1800, 'a day in at most 60 intervals: 30 minutes each');
    assert.equal(day.body.intervals.length, 49);
    assert.equal(day.body.from, '2026-01-01T00:00:00.000Z');
    const fewer = await server.request('GET', `${BASE}/histogram?createdTimeFrom=${from}&createdTimeTo=2026-01-02T00:00:00Z&maxIntervals=10`);
    assert.equal(fewer.body.intervalSeconds, 3 * 3600);
    assert.equal(total(day.body.intervals), 0, 'no instance was created then');
  });

  test("applies the list's filter", async () => {
    const query = (text: string) => server.request('GET', `${BASE}/histogram?${text}`);
    assert.equal(total((await query('name=HelloWorld')).body.intervals), 2);
    assert.equal(total((await query('runtimeStatus=Failed')).body.intervals), 1);
    assert.equal(total((await query('instanceIdPrefix=b-')).body.intervals), 1);
    const after = await query(`createdTimeFrom=${new Date(created['a-2']!).toISOString()}`);
    assert.equal(total(after.body.intervals), 2, 'a-2 and b-1');
    const none = await query('instanceIdPrefix=zzz');
    assert.deepEqual(none.body.intervals, [], 'nothing matches and no range was given: no intervals');
  });

  test('400 for a reversed range, too many intervals, a bad interval', async () => {
    const reversed = await server.request('GET', `${BASE}/histogram?createdTimeFrom=2026-01-02&createdTimeTo=2026-01-01`);
    assert.equal(reversed.status, 400);
    assert.match(assertErrorBody(reversed), /createdTimeFrom is after createdTimeTo/);
    const tooMany = await server.request('GET', `${BASE}/histogram?createdTimeFrom=2026-01-01&createdTimeTo=2026-01-02&intervalSeconds=1`);
    assert.equal(tooMany.status, 400);
    assert.match(assertErrorBody(tooMany), /86401 intervals of 1 s, more than 1000/);
    for (const query of ['intervalSeconds=0', 'intervalSeconds=1.5', 'maxIntervals=1001', 'intervalSeconds=Infinity']) {
      assert.equal((await server.request('GET', `${BASE}/histogram?${query}`)).status, 400, query);
    }
  });
});
