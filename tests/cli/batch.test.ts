/** `taskhub batch …` through the real binary with a worker in this process: dry run, a job waited for, --no-wait, status, list, cancel, usage errors. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTaskHub, silentLogger, type TaskHub } from '../../src/index.js';
import { testRegistry } from '../support/test-app.js';
import { eventually, waitForStatus } from '../support/polling.js';
import { createCliStore, type CliStore } from './cli-harness.js';

describe('taskhub batch', () => {
  let cli: CliStore;
  let taskHub: TaskHub;
  before(async () => {
    cli = await createCliStore();
    taskHub = await createTaskHub({ storage: cli.backend, hub: cli.hub, registry: testRegistry(), worker: { logger: silentLogger } });
  });
  after(async () => {
    await taskHub.close();
    await cli.close();
  });

  const waiting = async (id: string) => {
    await cli.client.startNew('Approval', { instanceId: id, input: { timeoutSeconds: 600 } });
    await waitForStatus(cli.client, id, 'Running');
  };

  it('--dry-run prints {"matched":N} and starts nothing', async () => {
    await waiting('cli-dry-1');
    const result = await cli.run(['batch', 'terminate', '--instance-id-prefix', 'cli-dry-', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { matched: 1 });
    assert.deepEqual(await cli.client.listBatches(), []);
  });

  it('--tag narrows the filter: all must match', async () => {
    await cli.client.startNew('Approval', { instanceId: 'cli-tag-1', input: { timeoutSeconds: 600 }, tags: { tenant: 'a', tier: 'gold' } });
    await cli.client.startNew('Approval', { instanceId: 'cli-tag-2', input: { timeoutSeconds: 600 }, tags: { tenant: 'a' } });
    const result = await cli.run(['batch', 'terminate', '--instance-id-prefix', 'cli-tag-', '--tag', 'tenant:a', '--tag', 'tier:gold', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { matched: 1 });
    const bad = await cli.run(['batch', 'terminate', '--tag', 'no-colon', '--dry-run']);
    assert.equal(bad.code, 2, bad.stderr);
  });

  it('waits for the job and prints it; status and list show it', async () => {
    await waiting('cli-term-1');
    await waiting('cli-other-1');
    const result = await cli.run(['batch', 'terminate', '--instance-id-prefix', 'cli-term-', '--runtime-status', 'running', '--reason', 'cli']);
    assert.equal(result.code, 0, result.stderr);
    const job = JSON.parse(result.stdout);
    assert.deepEqual({ state: job.state, matched: job.matched, done: job.done, failed: job.failed }, { state: 'completed', matched: 1, done: 1, failed: 0 });
    // A termination is a message: the job completes when it is delivered, the instance's step may come after.
    await waitForStatus(cli.client, 'cli-term-1', 'Terminated');
    assert.equal((await cli.client.getStatus('cli-other-1'))!.runtimeStatus, 'Running');
    const status = await cli.run(['batch', 'status', '--id', job.id]);
    assert.equal(JSON.parse(status.stdout).state, 'completed');
    const list = await cli.run(['batch', 'list']);
    assert.ok(JSON.parse(list.stdout).some((listed: { id: string }) => listed.id === job.id));
  });

  it('--no-wait prints the running job; cancel stops it', async () => {
    for (let i = 0; i < 3; i++) await waiting(`cli-cancel-${i}`);
    const started = await cli.run(['batch', 'raise-event', '--event-name', 'Nothing', '--instance-id-prefix', 'cli-cancel-', '--chunk-size', '1', '--rate', '1', '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    const job = JSON.parse(started.stdout);
    assert.equal(job.state, 'running');
    const cancelled = await cli.run(['batch', 'cancel', '--id', job.id]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await eventually('the job to be cancelled', async () => ((await cli.client.getBatch(job.id)).state === 'cancelled' ? true : undefined));
  });

  it('a bad operation, filter or flag is a usage error (exit 2) with nothing started', async () => {
    const before = (await cli.client.listBatches()).length;
    for (const args of [
      ['batch', 'explode'],
      ['batch', 'terminate', '--runtime-status', 'sleeping'],
      ['batch', 'terminate', '--created-after', 'yesterday'],
      ['batch', 'raise-event'],
      ['batch', 'terminate', '--chunk-size', '0'],
    ]) {
      const result = await cli.run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /error/);
    }
    assert.equal((await cli.client.listBatches()).length, before);
    const unknown = await cli.run(['batch', 'status', '--id', 'taskhub.batch.none']);
    assert.equal(unknown.code, 1);
  });
});
