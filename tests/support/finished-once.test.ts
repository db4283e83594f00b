/** The scale-out and soak tests' "finished at most once" check: what counts as finishing an instance. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepAuditRecord } from '../../src/index.js';
import { assertFinishedAtMostOnce } from './mixed-workload.js';

function step(claimedStatus: string, status: string, workerId = 'w1'): StepAuditRecord {
  return { instanceId: 'i', workerId, startedAt: 0, committingAt: 0, claimedStatus, status, withActivity: false };
}

test('two steps that each took the running instance to Completed are a double finish', () => {
  assert.throws(() => assertFinishedAtMostOnce([step('Running', 'Completed', 'w1'), step('Running', 'Completed', 'w2')]), /finished by 2 steps/);
});

test('a step that drops a late timer of a completed instance is not a second finish', () => {
  assertFinishedAtMostOnce([step('Pending', 'Running'), step('Running', 'Completed'), step('Completed', 'Completed')]);
});
