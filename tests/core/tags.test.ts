import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { validateTags } from '../../src/core/tags.js';
import { InvalidArgumentError, TagLimitError } from '../../src/errors.js';
import { newExecutionStartedEvent } from '../../src/testing/history-builders.js';
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

/** `count` tags named t00, t01, … */
function manyTags(count: number, prefix = 't'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${String(i).padStart(2, '0')}`, 'v']));
}

function startTagged(scenario: Scenario, name: string, tags: Record<string, string>, input?: unknown): void {
  scenario.step([newExecutionStartedEvent(name, input, { timestamp: scenario.now, tags })]);
}

function completeActivity(scenario: Scenario): void {
  const work = scenario.last.work.find((each) => each.kind === 'activity');
  assert.ok(work && work.kind === 'activity', `the step scheduled an activity: ${JSON.stringify(scenario.last.work)}`);
  scenario.step([{ type: 'TaskCompleted', eventId: -1, timestamp: scenario.now, taskScheduledId: work.taskId }]);
}

test('the limit holds for the total: start tags plus what every earlier step set; the refusal is a TagLimitError the code can catch, and replays alike', () => {
  const scenario = new Scenario({
    *Growing(ctx: OrchestrationContext) {
      ctx.setTag('s1', 'x');
      ctx.setTag('s2', 'x'); // 18 from the start + 2: exactly the limit
      yield ctx.callActivity('Work');
      let refused = '';
      try {
        ctx.setTag('s3', 'x');
      } catch (error) {
        refused = `${(error as Error).name}: ${(error as Error).message}`;
      }
      ctx.setCustomStatus(refused);
      // The path taken depends on the refusal: a replay that did not refuse again would schedule 'Accepted'.
      yield ctx.callActivity(refused ? 'Refused' : 'Accepted');
      ctx.setTag('s1', 'changed'); // a key the instance has: no new tag
      ctx.removeTag('t00');
      ctx.setTag('s3', 'x'); // room again, in the same step
      yield ctx.callActivity('Work');
      return 'done';
    },
  });
  startTagged(scenario, 'Growing', manyTags(18));
  assert.deepEqual(scenario.last.tagChanges, { set: { s1: 'x', s2: 'x' }, remove: [] });
  completeActivity(scenario);
  assert.equal(scenario.last.status, 'Running');
  assert.equal(scenario.last.tagChanges, undefined, 'the refused call changes nothing');
  assert.match(JSON.parse(scenario.last.customStatus!) as string, /^TagLimitError: setTag: the instance already has 20 tags, the most it may have; remove one before setting 's3'$/);
  assert.deepEqual(scenario.last.work.map((work) => work.kind === 'activity' && work.name), ['Refused']);
  completeActivity(scenario);
  assert.equal(scenario.last.status, 'Running', scenario.last.failureDetails?.errorMessage);
  assert.deepEqual(scenario.last.tagChanges, { set: { s1: 'changed', s3: 'x' }, remove: ['t00'] });
  completeActivity(scenario);
  assert.equal(scenario.last.status, 'Completed', scenario.last.failureDetails?.errorMessage);
});

test('a refused setTag the code does not catch fails the orchestration with the TagLimitError, changing no tag', () => {
  const scenario = new Scenario({
    *OneTooMany(ctx: OrchestrationContext) {
      yield ctx.callActivity('Work');
      ctx.setTag('z', 'x');
      yield ctx.callActivity('Never');
    },
  });
  startTagged(scenario, 'OneTooMany', manyTags(20));
  completeActivity(scenario);
  assert.equal(scenario.last.status, 'Failed');
  assert.equal(scenario.last.failureDetails?.errorType, 'TagLimitError');
  assert.equal(scenario.last.tagChanges, undefined);
  assert.deepEqual(tagEvents(scenario.history), []);
});

test('tags set over many steps add up: the 21st is refused even when each step sets only a few', () => {
  const scenario = new Scenario({
    *FewPerStep(ctx: OrchestrationContext) {
      for (let step = 0; step < 7; step++) {
        for (let i = 0; i < 3; i++) ctx.setTag(`k${step}-${i}`, 'v');
        yield ctx.callActivity('Work');
      }
    },
  });
  scenario.start('FewPerStep');
  for (let step = 1; step < 7; step++) completeActivity(scenario);
  assert.equal(scenario.last.status, 'Failed');
  assert.match(scenario.last.failureDetails!.errorMessage, /already has 20 tags/);
  assert.equal(tagEvents(scenario.history).length, 6, 'the six steps within the limit kept their tags');
});

test('continue-as-new starts the next execution with the instance\'s tags, and the limit goes on counting them', () => {
  const scenario = new Scenario({
    *Looping(ctx: OrchestrationContext, round: number) {
      ctx.setTag(`r${round}`, 'x');
      yield ctx.callActivity('Work');
      ctx.continueAsNew(round + 1);
    },
  });
  startTagged(scenario, 'Looping', { ...manyTags(18), r0: 'old' }, 0);
  completeActivity(scenario);
  assert.equal(scenario.last.status, 'ContinuedAsNew');
  const tags = scenario.last.continuedAsNew?.tags;
  assert.deepEqual(tags, { ...manyTags(18), r0: 'x' }, 'the start tags with this execution\'s changes');

  const next = new Scenario(scenario.orchestrators);
  next.step([newExecutionStartedEvent('Looping', 1, { timestamp: next.now, ...(tags ? { tags } : {}) })]);
  assert.deepEqual(next.last.tagChanges, { set: { r1: 'x' }, remove: [] }, 'the 20th tag');
  completeActivity(next);
  const third = new Scenario(scenario.orchestrators);
  third.step([newExecutionStartedEvent('Looping', 2, { timestamp: third.now, tags: next.last.continuedAsNew!.tags! })]);
  assert.equal(third.last.status, 'Failed');
  assert.equal(third.last.failureDetails?.errorType, 'TagLimitError');
});

test('start tags over the limits are a TagLimitError (an InvalidArgumentError), malformed ones an InvalidArgumentError', () => {
  assert.throws(() => validateTags(manyTags(21)), (error) => error instanceof TagLimitError && error.code === 'INVALID_ARGUMENT' && /at most 20 tags, not 21/.test(error.message));
  assert.throws(() => validateTags({ ['k'.repeat(65)]: 'v' }), TagLimitError);
  assert.throws(() => validateTags({ k: 'v'.repeat(257) }), TagLimitError);
  assert.throws(() => validateTags({ k: 1 }), (error) => error instanceof InvalidArgumentError && !(error instanceof TagLimitError));
});
