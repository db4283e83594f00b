/** `--tag key:value` through the real binary: on start-new, and as a filter of get-instances, count and purge-history. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { waitForStatus } from '../support/polling.js';
import { createCliStore, parsePage, type CliStore } from './cli-harness.js';

describe('taskhub --tag', () => {
  let cli: CliStore;
  let worker: WorkerProcess;

  before(async () => {
    cli = await createCliStore();
    worker = spawnWorker(cli.store, cli.hub);
    await worker.ready;
  });
  after(async () => {
    await stopGracefully(worker);
    await cli.close();
  });

  async function startTagged(id: string, ...tags: string[]): Promise<void> {
    const result = await cli.run(['start-new', '--function-name', 'HelloWorld', '--id', id, ...tags.flatMap((tag) => ['--tag', tag])]);
    assert.equal(result.code, 0, result.stderr);
    await waitForStatus(cli.client, id, 'Completed');
  }

  it('start-new --tag (repeatable) stores the tags; get-runtime-status shows them', async () => {
    await startTagged('cli-acme-1', 'tenant:acme', 'tier:gold');
    const status = await cli.run(['get-runtime-status', '--id', 'cli-acme-1']);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout).tags, { tenant: 'acme', tier: 'gold' });
  });

  it('get-instances, count and purge-history filter on every --tag given', async () => {
    await startTagged('cli-acme-2', 'tenant:acme');
    await startTagged('cli-bolt-1', 'tenant:bolt', 'tier:gold');
    const listed = async (...args: string[]) => parsePage((await cli.run(['get-instances', '--top', '100', ...args])).stdout).instances.map((s) => s.instanceId).sort();
    assert.deepEqual(await listed('--tag', 'tenant:acme'), ['cli-acme-1', 'cli-acme-2']);
    assert.deepEqual(await listed('--tag', 'tenant:acme', '--tag', 'tier:gold'), ['cli-acme-1']);
    assert.deepEqual(await listed('--tag', 'tier:gold', '--instance-id-prefix', 'cli-bolt'), ['cli-bolt-1']);

    const count = await cli.run(['count', '--tag', 'tier:gold']);
    assert.equal(count.code, 0, count.stderr);
    assert.equal(JSON.parse(count.stdout).total, 2);

    const purged = await cli.run(['purge-history', '--tag', 'tenant:acme']);
    assert.equal(purged.code, 0, purged.stderr);
    assert.deepEqual(JSON.parse(purged.stdout), { instancesDeleted: 2 });
    assert.deepEqual(await listed(), ['cli-bolt-1']);
  });

  it('a malformed or oversized --tag is a usage error (exit 2) and starts nothing', async () => {
    for (const tag of ['no-colon', ':value', `k:${'v'.repeat(257)}`]) {
      const result = await cli.run(['start-new', '--function-name', 'HelloWorld', '--id', 'never', '--tag', tag]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /--tag/);
      assert.equal(await cli.client.getStatus('never'), undefined);
    }
    const listing = await cli.run(['get-instances', '--tag', 'no-colon']);
    assert.equal(listing.code, 2, listing.stderr);
  });

  it('get-history shows what each TagsChanged set and removed, and the tags the execution started with', async () => {
    const started = await cli.run(['start-new', '--function-name', 'TaggedOrder', '--id', 'cli-tag-history', '--tag', 'tenant:acme']);
    assert.equal(started.code, 0, started.stderr);
    await waitForStatus(cli.client, 'cli-tag-history', 'Running');
    const raised = await cli.run(['raise-event', '--id', 'cli-tag-history', '--event-name', 'Paid']);
    assert.equal(raised.code, 0, raised.stderr);
    await waitForStatus(cli.client, 'cli-tag-history', 'Completed');
    const result = await cli.run(['get-history', '--id', 'cli-tag-history']);
    assert.equal(result.code, 0, result.stderr);
    const history = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.deepEqual(history.find((event) => event.EventType === 'ExecutionStarted')?.Tags, { tenant: 'acme' });
    assert.deepEqual(
      history.filter((event) => event.EventType === 'TagsChanged').map(({ TagsSet, TagsRemoved }) => ({ TagsSet, TagsRemoved })),
      [
        { TagsSet: { stage: 'awaiting-payment' }, TagsRemoved: [] },
        { TagsSet: { paid: 'yes' }, TagsRemoved: ['stage'] },
      ],
    );
  });
});
