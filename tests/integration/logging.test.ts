/**
 * What a worker says: one line per failed instance, failed or retried activity, each with the instance,
 * execution, task and worker it is about; context.log lines once (never during replay) with the instance
 * id. And the pino logger itself: JSON lines, readable lines on a terminal, levels.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPinoLogger, createTaskHub, defineActivity, defineOrchestrator, parseLogLevel, Registry, withFields, type Logger, type OrchestrationContext, type TaskHub } from '../../src/index.js';
import { createTestStore, randomHub, type TestStore } from '../support/stores.js';
import { waitForStatus } from '../support/polling.js';

interface LogLine {
  level: string;
  msg: string;
  instanceId?: string;
  executionId?: string;
  taskId?: number;
  workerId?: string;
}

function capturingLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createPinoLogger({ level, destination: { write: (text: string) => lines.push(JSON.parse(text) as LogLine) } });
  return { logger, lines };
}

const flaky = defineActivity('Logging_Flaky', (_input: unknown, context) => {
  if (context.attempt === 1 && !succeeded.has(context.instanceId)) {
    succeeded.add(context.instanceId);
    throw new Error('first call fails');
  }
  return 'ok';
});
const succeeded = new Set<string>();
const boom = defineActivity('Logging_Boom', () => {
  throw new TypeError('no such order');
});
const step = defineActivity('Logging_Step', (n: number) => n);

const chatty = defineOrchestrator('Logging_Chatty', function* (context: OrchestrationContext) {
  for (let n = 1; n <= 3; n++) {
    context.log.info('batch %d done:', n, n * 10);
    yield* context.callActivity(step, n);
  }
  return 'done';
});
const retrying = defineOrchestrator('Logging_Retrying', function* (context: OrchestrationContext) {
  return yield* context.callActivityWithRetry(flaky, { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 3 });
});
const failing = defineOrchestrator('Logging_Failing', function* (context: OrchestrationContext) {
  return yield* context.callActivity(boom);
});

describe('worker logs', () => {
  let store: TestStore;
  let taskHub: TaskHub;
  const { logger, lines } = capturingLogger();
  before(async () => {
    store = await createTestStore('sqlite');
    taskHub = await createTaskHub({
      storage: await store.open(),
      hub: randomHub(),
      registry: new Registry().add(flaky, boom, step, chatty, retrying, failing),
      worker: { logger, workerId: 'logging-worker' },
    });
  });
  after(async () => {
    await taskHub.close();
    await taskHub.backend.close();
    await store.destroy();
  });
  const about = (instanceId: string) => lines.filter((line) => line.instanceId === instanceId);

  it('context.log: once per call, never during replay, with the instance, execution and worker', async () => {
    const id = await taskHub.client.startNew(chatty);
    await waitForStatus(taskHub.client, id, 'Completed');
    const logged = about(id).filter((line) => line.msg.startsWith('batch'));
    assert.deepEqual(logged.map((line) => line.msg), ['batch 1 done: 10', 'batch 2 done: 20', 'batch 3 done: 30']);
    for (const line of logged) {
      assert.equal(line.workerId, 'logging-worker');
      assert.match(line.executionId ?? '', /^[0-9a-f]{32}$/);
      assert.equal(line.level, 'info');
    }
  });

  it('a failed instance: the failed activity (task id, error) and the failure, one line each', async () => {
    const id = await taskHub.client.startNew(failing);
    await waitForStatus(taskHub.client, id, 'Failed');
    const activity = about(id).filter((line) => line.msg.startsWith("activity 'Logging_Boom' failed"));
    assert.equal(activity.length, 1, JSON.stringify(about(id)));
    assert.equal(activity[0]!.level, 'warn');
    assert.equal(activity[0]!.taskId, 0);
    assert.match(activity[0]!.msg, /TypeError: no such order/);
    const instance = about(id).filter((line) => line.msg.startsWith("orchestration 'Logging_Failing' failed"));
    assert.equal(instance.length, 1);
    assert.equal(instance[0]!.level, 'error');
    assert.match(instance[0]!.msg, /TaskFailedError: .*no such order/);
    assert.equal(instance[0]!.workerId, 'logging-worker');
  });

  it('a retried activity: its failure, then the retry with the next attempt time, then completion (debug)', async () => {
    const id = await taskHub.client.startNew(retrying);
    await waitForStatus(taskHub.client, id, 'Completed');
    const messages = about(id).map((line) => line.msg);
    assert.equal(messages.filter((text) => text.startsWith("activity 'Logging_Flaky' failed (attempt 1)")).length, 1, messages.join('\n'));
    const retries = messages.filter((text) => text.startsWith("activity 'Logging_Flaky' failed on attempt 1 of 3; the next attempt starts at"));
    assert.equal(retries.length, 1, messages.join('\n'));
    assert.ok(messages.includes("orchestration 'Logging_Retrying' completed"));
  });
});

describe('the pino logger', () => {
  it('JSON lines, level names, fields from child loggers; levels below the threshold are dropped', () => {
    const { logger, lines } = capturingLogger('warn');
    const child = withFields(logger, { instanceId: 'i1', taskId: 2 });
    child.info('hidden');
    child.warn('shown %s', 'here', 3);
    assert.deepEqual(
      lines.map(({ level, msg, instanceId, taskId }) => ({ level, msg, instanceId, taskId })),
      [{ level: 'warn', msg: 'shown here 3', instanceId: 'i1', taskId: 2 }],
    );
  });

  it('on a terminal: one readable line per event, fields after the message', () => {
    let text = '';
    const logger = createPinoLogger({ destination: { isTTY: true, write: (chunk: string) => (text += chunk) }, env: { NO_COLOR: '1' } });
    withFields(logger, { instanceId: 'i1', workerId: 'w 1' }).warn('activity failed');
    assert.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: activity failed {2}instanceId=i1 workerId="w 1"\n$/);
  });

  it('a logger without child() gets the fields as a last argument, its message unchanged', () => {
    const seen: unknown[][] = [];
    const plain: Logger = { info: (...args) => seen.push(args), warn: () => {}, error: () => {} };
    withFields(withFields(plain, { instanceId: 'i1' }), { taskId: 3 }).info('batch %d', 7);
    assert.deepEqual(seen, [['batch %d', 7, { instanceId: 'i1', taskId: 3 }]]);
  });

  it('levels by name in any case; anything else is refused with the choices', () => {
    assert.equal(parseLogLevel('WARN', '--log-level'), 'warn');
    assert.equal(parseLogLevel(' ', '--log-level'), 'info');
    assert.throws(() => parseLogLevel('loud', '--log-level'), /--log-level must be one of trace, debug, info, warn, error, fatal, silent \(got 'loud'\)/);
    assert.throws(() => createPinoLogger({ env: { TASKHUB_LOG_LEVEL: 'loud' } }), /TASKHUB_LOG_LEVEL must be one of/);
  });
});
