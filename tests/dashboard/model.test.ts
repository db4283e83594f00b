/** The dashboard's view logic without a browser: the filter and its URL, the timeline, JSON input, durations. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawEvent } from '../../src/dashboard/api/types.js';
import { EMPTY_FILTER, apiQuery, filterFromSearch, purgeQuery, searchFromFilter } from '../../src/dashboard/model/filter.js';
import { formatDuration } from '../../src/dashboard/model/format.js';
import { parseJsonInput } from '../../src/dashboard/model/json-input.js';
import { buildTimeline } from '../../src/dashboard/model/timeline.js';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');

describe('the list filter', () => {
  test('survives the round trip through the URL, keeping only what differs from the default', () => {
    const filter = { ...EMPTY_FILTER, statuses: ['Running', 'Failed'] as const, range: 'custom' as const, from: '2026-12-01T00:00:00.000Z', name: 'Approval', idPrefix: 'order-', pageSize: 100 };
    const search = searchFromFilter({ ...filter, statuses: [...filter.statuses] });
    assert.equal(search.toString(), 'status=Running%2CFailed&range=custom&from=2026-12-01T00%3A00%3A00.000Z&name=Approval&prefix=order-&size=100');
    assert.deepEqual(filterFromSearch(search), { ...filter, statuses: ['Running', 'Failed'] });
    assert.equal(searchFromFilter(EMPTY_FILTER).toString(), '');
    assert.equal(searchFromFilter(EMPTY_FILTER, new URLSearchParams('taskHub=Orders&status=Failed')).toString(), 'taskHub=Orders', 'other parameters stay');
  });

  test('reads a hand-edited URL leniently: unknown statuses, ranges and sizes fall back to the default', () => {
    assert.deepEqual(filterFromSearch(new URLSearchParams('status=Failed,Sleeping,Running&range=forever&size=7&from=nonsense')), { ...EMPTY_FILTER, statuses: ['Running', 'Failed'] });
    assert.equal(filterFromSearch(new URLSearchParams('range=custom&from=nonsense')).from, undefined);
  });

  test("becomes the API's query with relative ranges fixed at the given time", () => {
    const lastHour = apiQuery({ ...EMPTY_FILTER, range: '1h', statuses: ['Completed'], name: 'HelloWorld' }, NOW);
    assert.equal(lastHour.toString(), 'runtimeStatus=Completed&createdTimeFrom=2026-12-02T11%3A00%3A00.000Z&name=HelloWorld');
    assert.equal(apiQuery({ ...EMPTY_FILTER, statuses: ['Completed'] }, NOW, []).toString(), '', 'the counts ask for every status');
  });

  test('carries the tag filter in the URL as typed and to the API as one tag= per key:value pair', () => {
    const filter = { ...EMPTY_FILTER, tags: 'tenant:acme  region:eu:west' };
    const search = searchFromFilter(filter);
    assert.equal(search.toString(), 'tags=tenant%3Aacme++region%3Aeu%3Awest');
    assert.deepEqual(filterFromSearch(search), filter);
    assert.deepEqual(apiQuery(filter, NOW).getAll('tag'), ['tenant:acme', 'region:eu:west']);
    assert.deepEqual(purgeQuery(filter, NOW).getAll('tag'), ['tenant:acme', 'region:eu:west'], 'the purge covers what the list shows');
  });

  test('purges only finished statuses, from the epoch when the range is open, up to the time of the count', () => {
    const query = purgeQuery({ ...EMPTY_FILTER, statuses: ['Running', 'Failed'], idPrefix: 'x' }, NOW);
    assert.equal(query.get('runtimeStatus'), 'Failed');
    assert.equal(query.get('createdTimeFrom'), '1970-01-01T00:00:00.000Z');
    assert.equal(query.get('createdTimeTo'), '2026-12-02T12:00:00.000Z');
    assert.equal(query.get('instanceIdPrefix'), 'x');
    assert.equal(purgeQuery(EMPTY_FILTER, NOW).get('runtimeStatus'), 'Completed,Failed,Terminated');
  });
});

/** A raw history event at `ms` after NOW. */
function at(ms: number, event: Partial<RawEvent> & { type: string }): RawEvent {
  return { sequence: 0, eventId: -1, ...event, timestamp: new Date(NOW + ms).toISOString() };
}

describe('the timeline', () => {
  test('a retry policy: the failed attempt, its retry timer, then attempt 2', () => {
    const timeline = buildTimeline([
      at(0, { type: 'OrchestratorStarted' }),
      at(0, { type: 'ExecutionStarted', name: 'Flaky' }),
      at(1, { type: 'TaskScheduled', eventId: 0, name: 'Charge' }),
      at(20, { type: 'OrchestratorStarted' }),
      at(20, { type: 'TaskFailed', taskScheduledId: 0, failureDetails: { errorType: 'Error', errorMessage: 'declined' } }),
      at(20, { type: 'TimerCreated', eventId: 1, fireAt: new Date(NOW + 220).toISOString() }),
      at(230, { type: 'OrchestratorStarted' }),
      at(220, { type: 'TimerFired', timerId: 1, fireAt: new Date(NOW + 220).toISOString() }),
      at(230, { type: 'TaskScheduled', eventId: 2, name: 'Charge' }),
      at(260, { type: 'OrchestratorStarted' }),
      at(260, { type: 'TaskCompleted', taskScheduledId: 2 }),
      at(260, { type: 'ExecutionCompleted', orchestrationStatus: 'Completed' }),
    ], NOW + 10_000, true);
    assert.equal(timeline.start, NOW);
    assert.equal(timeline.end, NOW + 260, 'a finished instance ends at its last event');
    assert.deepEqual(timeline.spans.map(({ kind, label, outcome, attempt, start, end, error }) => ({ kind, label, outcome, attempt, start: start - NOW, end: end - NOW, error })), [
      { kind: 'activity', label: 'Charge', outcome: 'failed', attempt: 1, start: 1, end: 20, error: 'declined' },
      { kind: 'retry-timer', label: 'retry Charge', outcome: 'fired', attempt: 1, start: 20, end: 220, error: undefined },
      { kind: 'activity', label: 'Charge', outcome: 'completed', attempt: 2, start: 230, end: 260, error: undefined },
    ]);
    assert.deepEqual(timeline.markers.map((marker) => marker.label), ['started', 'completed']);
  });

  test('open work on a running instance reaches now; a timer due later stops there too', () => {
    const timeline = buildTimeline([
      at(0, { type: 'ExecutionStarted', name: 'Approval' }),
      at(5, { type: 'TimerCreated', eventId: 0, fireAt: new Date(NOW + 3_600_000).toISOString() }),
      at(6, { type: 'SubOrchestrationInstanceCreated', eventId: 1, name: 'Child', instanceId: 'parent:1' }),
      at(50, { type: 'EventRaised', name: 'Approval' }),
    ], NOW + 1000, false);
    assert.equal(timeline.end, NOW + 1000);
    const [timer, child] = timeline.spans;
    assert.deepEqual([timer?.outcome, timer?.end, timer?.fireAt], ['waiting', NOW + 1000, NOW + 3_600_000]);
    assert.deepEqual([child?.outcome, child?.end, child?.instanceId], ['running', NOW + 1000, 'parent:1']);
    assert.deepEqual(timeline.markers.map((marker) => [marker.kind, marker.label]), [['lifecycle', 'started'], ['event-raised', 'event Approval']]);
  });

  test('a TagsChanged is a marker saying what it set and removed', () => {
    const timeline = buildTimeline([
      at(0, { type: 'ExecutionStarted', name: 'TaggedOrder' }),
      at(1, { type: 'TagsChanged', set: { paid: 'yes', tier: 'gold' }, remove: ['stage'] }),
      at(2, { type: 'TagsChanged', set: {}, remove: ['tier'] }),
    ], NOW + 10, false);
    assert.deepEqual(timeline.markers.map((marker) => [marker.kind, marker.label, marker.time - NOW]), [
      ['lifecycle', 'started', 0],
      ['lifecycle', 'tags set paid=yes, tier=gold · removed stage', 1],
      ['lifecycle', 'tags removed tier', 2],
    ]);
  });

  test('a failure that no timer follows is not a retry', () => {
    const timeline = buildTimeline([
      at(0, { type: 'OrchestratorStarted' }),
      at(1, { type: 'TaskScheduled', eventId: 0, name: 'A' }),
      at(2, { type: 'OrchestratorStarted' }),
      at(2, { type: 'TaskFailed', taskScheduledId: 0, failureDetails: { errorType: 'Error', errorMessage: 'x' } }),
      at(2, { type: 'TaskScheduled', eventId: 1, name: 'A' }),
    ], NOW + 10, false);
    assert.deepEqual(timeline.spans.map((span) => span.attempt), [1, 1]);
  });
});

describe('JSON typed by a person', () => {
  test('empty means no value; a mistake says where it is', () => {
    assert.deepEqual(parseJsonInput('  '), { ok: true, value: undefined, empty: true });
    assert.deepEqual(parseJsonInput('{"a": [1, null]}'), { ok: true, value: { a: [1, null] }, empty: false });
    const mistake = parseJsonInput('{\n  "a": 1,\n}');
    assert.equal(mistake.ok, false);
    assert.match(mistake.ok ? '' : mistake.message, /^not valid JSON at line 3, column 1/);
    assert.match((parseJsonInput('"Lisbon') as { message: string }).message, /^not valid JSON/);
  });
});

describe('durations', () => {
  test('read at a glance', () => {
    assert.deepEqual([12, 1200, 15_400, 75_000, 3_725_000, 90_061_000].map(formatDuration), ['12 ms', '1.2 s', '15 s', '1 min 15 s', '1 h 2 min', '1 d 1 h']);
    assert.equal(formatDuration(-1), '–');
  });
});
