/**
 * T20 of docs/reliability.md through a worker, on every store: the worker's history limits fail a looping
 * instance with a HistoryLimitError (status, output and history agree), warn once before, and leave
 * instances within the limits alone. Bad limits are refused when the worker is made.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, Worker, silentLogger, type Logger } from '../../src/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { storesUnderTest } from '../support/stores.js';
import { testRegistry } from '../support/test-app.js';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (message: string) => warnings.push(message) };
}

for (const kind of storesUnderTest()) {
  describe(`history limits on ${kind}`, () => {
    let h: Harness;
    const logger = recordingLogger();
    before(async () => {
      h = await startHarness(kind, { worker: { logger, maxHistoryEvents: 40, historyWarningEvents: 20 } });
    });
    after(async () => {
      await h.close();
    });
    const finish = (id: string) => h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });

    it('a chain too long for the limit fails with HistoryLimitError, after one warning', async () => {
      const id = await h.client.startNew('Chain', { input: { steps: 1000, delayMs: 0 } });
      const status = await finish(id);
      assert.equal(status.runtimeStatus, 'Failed');
      assert.match(String(status.output), /^Orchestrator function 'Chain' failed: orchestration '.+' failed: this step would grow its history/);
      const failure = status.failureDetails!;
      assert.equal(failure.errorType, 'HistoryLimitError');
      assert.match(failure.errorMessage, /beyond the limit of 40/);
      const history = await h.client.getHistory(id);
      assert.equal(history.length, 44);
      assert.equal(history.filter((event) => event.type === 'TaskScheduled').length, 10);
      assert.equal(history.at(-2)?.type, 'ExecutionCompleted');
      assert.deepEqual(
        logger.warnings.filter((warning) => warning.includes(id)),
        [`orchestration '${id}' has 20 history events; at 40 it fails: an orchestration that loops for long should call continueAsNew`],
      );
    });

    it('a chain within the limit completes without a warning', async () => {
      const id = await h.client.startNew('Chain', { input: { steps: 3, delayMs: 0 } });
      const status = await finish(id);
      assert.equal(status.runtimeStatus, 'Completed');
      assert.equal(status.output, 6);
      assert.deepEqual(logger.warnings.filter((warning) => warning.includes(id)), []);
    });

    it('refuses limits that are not whole numbers, or a warning beyond the hard limit', () => {
      const make = (limits: { maxHistoryEvents?: number; historyWarningEvents?: number }) =>
        new Worker({ backend: h.backend, hub: h.hub, registry: testRegistry(), logger: silentLogger, ...limits });
      assert.throws(() => make({ maxHistoryEvents: 0 }), InvalidArgumentError);
      assert.throws(() => make({ maxHistoryEvents: 1.5 }), /maxHistoryEvents must be a whole number of at least 1, not 1.5/);
      assert.throws(() => make({ maxHistoryEvents: 100, historyWarningEvents: 101 }), /historyWarningEvents must be a whole number from 1 to maxHistoryEvents \(100\), not 101/);
      assert.throws(() => make({ historyWarningEvents: Number.NaN }), InvalidArgumentError);
    });
  });
}
