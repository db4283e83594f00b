/**
 * User code cannot wedge a worker, on every store: each way orchestrator or activity code could hold the
 * worker (an async generator, a yield of a non-task, an endless loop, a clock read, an activity that never
 * settles) ends in a defined outcome, and the worker carries on with other instances meanwhile.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, TaskHubClient, Worker, silentLogger, type FailureDetails, type OrchestrationContext, type WorkerOptions } from '../../src/index.js';
import { helloWorld, sayHello } from '../../examples/demo-app.js';
import { randomHub, storesUnderTest } from '../support/stores.js';
import { suiteStore } from '../support/suite-store.js';
import type { Backend } from '../../src/backend/backend.js';

const STEP_TIMEOUT_MS = 300;
const ACTIVITY_TIMEOUT_MS = 300;

/** What the never-settling activity saw: whether its signal was aborted, and why. */
const abandoned: { aborted: boolean; reason?: string }[] = [];

function registry(): Registry {
  return new Registry()
    .add(helloWorld, sayHello)
    .orchestrator('AsyncGenerator', async function* (context: OrchestrationContext) {
      yield context.callActivity(sayHello, 'never');
    })
    .orchestrator('YieldsPromise', function* () {
      yield Promise.resolve(1) as never;
    })
    .orchestrator('LoopsAfterOneActivity', function* (context: OrchestrationContext) {
      yield context.callActivity(sayHello, 'first');
      for (;;) {
        // An endless synchronous loop in the replay of the second step.
      }
    })
    .orchestrator('ReadsTheClock', function* (context: OrchestrationContext) {
      const first = { now: Date.now(), made: new Date().toISOString(), context: context.currentUtcDateTime.toISOString() };
      yield context.callActivity(sayHello, 'clock');
      return { first, second: { now: Date.now(), context: context.currentUtcDateTime.toISOString() } };
    })
    .orchestrator('CallsNeverSettles', function* (context: OrchestrationContext) {
      return yield* context.callActivity<unknown>('NeverSettles');
    })
    .activity('NeverSettles', (_input: unknown, context) => {
      const seen: { aborted: boolean; reason?: string } = { aborted: false };
      abandoned.push(seen);
      context.signal.addEventListener('abort', () => {
        seen.aborted = true;
        seen.reason = String((context.signal.reason as Error).message);
      });
      return new Promise(() => {});
    });
}

async function withWorker(backend: Backend, options: Partial<WorkerOptions>, body: (client: TaskHubClient) => Promise<void>): Promise<void> {
  const hub = randomHub();
  const client = new TaskHubClient({ backend, hub });
  const worker = new Worker({ backend, hub, registry: registry(), logger: silentLogger, stepTimeoutMs: STEP_TIMEOUT_MS, activityTimeoutMs: ACTIVITY_TIMEOUT_MS, ...options });
  worker.start();
  try {
    await body(client);
  } finally {
    await worker.stop();
  }
}

async function failureOf(client: TaskHubClient, id: string): Promise<FailureDetails> {
  const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
  assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status.output));
  return status.failureDetails as FailureDetails;
}

for (const kind of storesUnderTest()) {
  describe(`user code cannot wedge a worker, on ${kind}`, () => {
    const suite = suiteStore(kind);

    it('an async function* orchestrator fails its instance with a clear message, and the worker carries on', () =>
      withWorker(suite.backend, {}, async (client) => {
        const id = await client.startNew('AsyncGenerator');
        const failure = await failureOf(client, id);
        assert.equal(failure.errorType, 'InvalidArgumentError');
        assert.match(failure.errorMessage, /'AsyncGenerator' is an async generator function \(async function\*\): orchestrators are generator functions \(function\*, not async\) that yield tasks/);
        const hello = await client.startNew('HelloWorld', { input: 'after' });
        assert.equal((await client.waitForCompletion(hello, { timeoutInMilliseconds: 20_000 })).output, 'Hello after!');
      }));

    it('a yielded Promise fails the instance, naming what was yielded', () =>
      withWorker(suite.backend, {}, async (client) => {
        const failure = await failureOf(client, await client.startNew('YieldsPromise'));
        assert.match(failure.errorMessage, /'YieldsPromise' yielded a Promise \(orchestrator code cannot await: call an activity\)/);
      }));

    it('an endless loop in orchestrator code is stopped at stepTimeoutMs and fails with StepTimeoutError; other instances complete meanwhile', () =>
      withWorker(suite.backend, {}, async (client) => {
        const looping = await client.startNew('LoopsAfterOneActivity');
        const others = await Promise.all(['a', 'b', 'c'].map((name) => client.startNew('HelloWorld', { input: name })));
        const failure = await failureOf(client, looping);
        assert.equal(failure.errorType, 'StepTimeoutError');
        assert.match(failure.errorMessage, new RegExp(`the code of orchestrator 'LoopsAfterOneActivity' ran for more than ${STEP_TIMEOUT_MS} ms in one step without yielding, and was stopped`));
        assert.deepEqual(JSON.parse(failure.details!), { instanceId: looping, orchestrator: 'LoopsAfterOneActivity', limitMs: STEP_TIMEOUT_MS });
        const history = (await client.getHistory(looping)).map((event) => event.type);
        // The first step's activity ran; the step that looped was not committed, the failure was.
        assert.deepEqual(history.slice(-3), ['OrchestratorStarted', 'ExecutionCompleted', 'OrchestratorCompleted']);
        assert.ok(history.includes('TaskScheduled'));
        for (const id of others) assert.equal((await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 })).runtimeStatus, 'Completed');
      }));

    it("Date.now() and new Date() in orchestrator code give the step's time from the store, the same on every replay", () =>
      withWorker(suite.backend, {}, async (client) => {
        const id = await client.startNew('ReadsTheClock');
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
        const output = status.output as { first: { now: number; made: string; context: string }; second: { now: number; context: string } };
        const stepTimes = (await client.getHistory(id)).filter((event) => event.type === 'OrchestratorStarted').map((event) => event.timestamp);
        // The first values were read in the first step and returned by the second, which replayed the first:
        // had the replay read the machine's clock they would be the second step's time.
        assert.equal(output.first.context, stepTimes[0]);
        assert.equal(new Date(output.first.now).toISOString(), stepTimes[0]);
        assert.equal(output.first.made, stepTimes[0]);
        assert.equal(output.second.context, stepTimes[1]);
        assert.equal(new Date(output.second.now).toISOString(), stepTimes[1]);
      }));

    it('an activity that never settles fails with ActivityTimeoutError at activityTimeoutMs, its signal aborted', () =>
      withWorker(suite.backend, {}, async (client) => {
        const before = abandoned.length;
        const failure = await failureOf(client, await client.startNew('CallsNeverSettles'));
        assert.equal(failure.errorType, 'TaskFailedError');
        assert.equal(failure.innerFailure?.errorType, 'ActivityTimeoutError');
        assert.match(failure.innerFailure.errorMessage, new RegExp(`activity 'NeverSettles' \\(task 0\\) did not finish within ${ACTIVITY_TIMEOUT_MS} ms \\(activityTimeoutMs\\) and was abandoned`));
        const seen = abandoned.slice(before);
        assert.equal(seen.length, 1, 'the activity ran once');
        assert.deepEqual(seen[0], { aborted: true, reason: failure.innerFailure.errorMessage });
      }));

    it('refuses time limits that are not whole positive milliseconds', () => {
      const make = (options: Partial<WorkerOptions>) => new Worker({ backend: suite.backend, hub: 'h', registry: registry(), ...options });
      assert.throws(() => make({ stepTimeoutMs: 0 }), /stepTimeoutMs must be a whole number of milliseconds from 1 to 4294967295, not 0/);
      assert.throws(() => make({ activityTimeoutMs: 1.5 }), /activityTimeoutMs must be a whole number of milliseconds from 1 to 2147483647, not 1.5/);
      assert.throws(() => make({ eventLoopBlockLimitMs: -1 }), /eventLoopBlockLimitMs must be a whole number/);
      assert.throws(() => make({ stepTimeoutMs: 5000, eventLoopBlockLimitMs: 5000 }), /eventLoopBlockLimitMs \(5000\) must be longer than stepTimeoutMs \(5000\), or 0 to turn the check off/);
      assert.doesNotThrow(() => make({ stepTimeoutMs: 5000, eventLoopBlockLimitMs: 0 }));
    });
  });
}
