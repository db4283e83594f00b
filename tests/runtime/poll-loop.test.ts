/**
 * The worker's claim loop retries every failed claim, whatever the error: a store restarting and a failure
 * no one foresaw (a revoked permission, a bug in a backend) alike are logged and tried again after a
 * back-off, never end the loop (docs/scale-out.md, "Retries").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Claimed } from '../../src/backend/backend.js';
import { emptyClaim } from '../../src/backend/claimed.js';
import { PollLoop } from '../../src/runtime/poll-loop.js';

describe('PollLoop', () => {
  it('retries claims after any error, then processes what a later claim returns', async () => {
    const failures = [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('permission denied for table instances'), { code: '42501' }),
      new TypeError("Cannot read properties of undefined (reading 'rows')"),
    ];
    const reported: string[] = [];
    let processed!: (item: string) => void;
    const done = new Promise<string>((resolve) => (processed = resolve));
    let handedOut = false;
    const loop = new PollLoop<string>({
      name: 'test dispatcher',
      concurrency: 1,
      maxBatch: 1,
      minPollMs: 1,
      maxPollMs: 4,
      claim: async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        if (handedOut) return [];
        handedOut = true;
        return ['work'];
      },
      process: async (item) => processed(item),
      onError: (context, error) => reported.push(`${context}: ${(error as Error).message}`),
    });
    loop.start();
    assert.equal(await done, 'work');
    await loop.stopClaiming();
    assert.deepEqual(reported, [
      'test dispatcher: claiming work failed; retrying in 1 ms: terminating connection due to administrator command',
      'test dispatcher: claiming work failed; retrying in 2 ms: permission denied for table instances',
      "test dispatcher: claiming work failed; retrying in 4 ms: Cannot read properties of undefined (reading 'rows')",
    ]);
  });

  it('sleeps after an empty claim only until the timed work it answers, not the poll interval', { timeout: 20_000 }, async () => {
    let processed!: (item: string) => void;
    const done = new Promise<string>((resolve) => (processed = resolve));
    const claims: Claimed<string>[] = [emptyClaim(5), ['timer fired']];
    const loop = new PollLoop<string>({
      name: 'test dispatcher',
      concurrency: 1,
      maxBatch: 1,
      // Without the answer, the loop would sleep a minute before claiming again, past the test's timeout.
      minPollMs: 60_000,
      maxPollMs: 60_000,
      claim: async () => claims.shift() ?? [],
      process: async (item) => processed(item),
      onError: (context, error) => assert.fail(`${context}: ${(error as Error).message}`),
    });
    loop.start();
    assert.equal(await done, 'timer fired');
    await loop.stopClaiming();
  });
});
