import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { Scenario } from './harness.js';

function tagEvents(history: readonly HistoryEvent[]): HistoryEvent[] {
  return history.filter((event) => event.type === 'TagsChanged');
}

test('setTag and removeTag are recorded as TagsChanged in the step that calls them; replays emit nothing again', () => {
  const scenario = new Scenario({
    *Tagging(ctx: OrchestrationContext) {
      ctx.setTag('stage', 'started');
      ctx.setTag('tenant', 'acme');
      yield ctx.callActivity('Work');
      ctx.removeTag('stage');
      ctx.setTag('tenant', 'bolt');
      yield ctx.callActivity('Work');
      return 'done';
    },
  });
  scenario.start('Tagging');
  assert.deepEqual(scenario.last.tagChanges, { set: { stage: 'started', tenant: 'acme' }, remove: [] });
  assert.deepEqual(scenario.history.map((event) => event.type).slice(-2), ['TagsChanged', 'OrchestratorCompleted']);
  const results = [];
  for (let i = 0; i < 2; i++) {
    const [work] = scenario.last.work;
    assert.equal(work?.kind, 'activity');
    results.push(scenario.step([{ type: 'TaskCompleted', eventId: -1, timestamp: scenario.now, taskScheduledId: (work as { taskId: number }).taskId }]));
  }
  assert.deepEqual(results[0]!.tagChanges, { set: { tenant: 'bolt' }, remove: ['stage'] });
  assert.equal(results[1]!.tagChanges, undefined, 'the last step replays both calls and emits nothing');
  assert.equal(results[1]!.status, 'Completed');
  assert.deepEqual(tagEvents(scenario.history).map((event) => event.type === 'TagsChanged' && [event.set, event.remove]), [
    [{ stage: 'started', tenant: 'acme' }, []],
    [{ tenant: 'bolt' }, ['stage']],
  ]);
});

test('a bad tag fails the step with a clear message and records no tag change', () => {
  const scenario = new Scenario({
    *Bad(ctx: OrchestrationContext) {
      ctx.setTag('ok', 'yes');
      ctx.setTag('k', 'x'.repeat(257));
      yield ctx.callActivity('Never');
    },
  });
  scenario.start('Bad');
  assert.equal(scenario.last.status, 'Failed');
  assert.match(scenario.last.failureDetails!.errorMessage, /setTag: the value of tag 'k' is longer than 256 characters/);
  assert.equal(scenario.last.tagChanges, undefined);
  assert.deepEqual(tagEvents(scenario.history), []);
  const empty = new Scenario({ *E(ctx: OrchestrationContext) { ctx.removeTag(''); yield ctx.callActivity('A'); } });
  empty.start('E');
  assert.match(empty.last.failureDetails!.errorMessage, /removeTag: a tag key must be a non-empty string/);
});
