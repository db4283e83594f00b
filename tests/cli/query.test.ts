/**
 * S-CLI with no worker running: start-new queues instances, and get-runtime-status / get-instances read
 * them, through the real binary on a real SQLite store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCliStore, parsePage, type CliStore } from './cli-harness.js';

const STATUS_KEYS = ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'createdTime', 'lastUpdatedTime', 'tags'];

describe('taskhub start-new', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('queues the instance and prints a random 32-hex id', async () => {
    const result = await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '"Tokyo"']);
    assert.equal(result.code, 0, result.stderr);
    const id = result.stdout.trim();
    assert.match(id, /^[0-9a-f]{32}$/);
    const status = await cli.client.getStatus(id);
    assert.equal(status?.runtimeStatus, 'Pending');
    assert.equal(status?.name, 'HelloWorld');
    assert.equal(status?.input, 'Tokyo');
  });

  it('takes --id, and --input from @file relative to the working directory (a byte order mark is fine)', async () => {
    writeFileSync(join(cli.directory, 'counter-data.json'), '\uFEFF{ "total": 41 }');
    const result = await cli.run(['start-new', '--function-name', 'Counter', '--input', '@counter-data.json', '--id', 'counter-1']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'counter-1\n');
    assert.deepEqual((await cli.client.getStatus('counter-1'))?.input, { total: 41 });
  });

  it('starts without --input (input null)', async () => {
    const result = await cli.run(['start-new', '--function-name', 'E1_HelloSequence', '--id', 'no-input']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await cli.client.getStatus('no-input'))?.input, null);
  });

  it('creates an instance of an orchestrator it cannot know about (the worker decides, S-START-5)', async () => {
    const result = await cli.run(['start-new', '--function-name', 'NoSuchOrchestrator', '--id', 'unknown-name']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await cli.client.getStatus('unknown-name'))?.name, 'NoSuchOrchestrator');
  });

  it('refuses an id in use by an unfinished instance (exit 1)', async () => {
    await cli.client.startNew('HelloWorld', { instanceId: 'taken' });
    const result = await cli.run(['start-new', '--function-name', 'HelloWorld', '--id', 'taken']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "error: an instance with id 'taken' already exists and is Pending\n");
    assert.equal(result.stdout, '');
  });

  it('round-trips odd but allowed ids exactly (T22)', async () => {
    const ids = ["a'b", 'a"b', 'x; DROP TABLE t', '%2F', 'שלום-עולם', 'a b', '*', 'x'.repeat(256), 'Robert\'); DROP TABLE instances;--'];
    for (const id of ids) {
      const started = await cli.run(['start-new', '--function-name', 'HelloWorld', '--id', id, '--input', JSON.stringify(id)]);
      assert.equal(started.code, 0, started.stderr);
      assert.equal(started.stdout, `${id}\n`);
      const shown = await cli.run(['get-runtime-status', '--id', id, '--show-input', 'true']);
      assert.equal(shown.code, 0, shown.stderr);
      const status = JSON.parse(shown.stdout);
      assert.equal(status.instanceId, id);
      assert.equal(status.input, id);
    }
  });
});

describe('taskhub get-runtime-status', () => {
  let cli: CliStore;
  before(async () => {
    cli = await createCliStore();
    await cli.client.startNew('Approval', { instanceId: 'approval-1', input: { timeoutSeconds: 60 } });
  });
  after(() => cli.close());

  it('prints the S-QUERY-1 keys in camelCase, input and output hidden by default', async () => {
    const result = await cli.run(['get-runtime-status', '--id', 'approval-1']);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(status), STATUS_KEYS.filter((key) => key !== 'input' && key !== 'output'));
    assert.equal(status.name, 'Approval');
    assert.equal(status.instanceId, 'approval-1');
    assert.equal(status.runtimeStatus, 'Pending');
    assert.equal(status.customStatus, null);
    assert.ok(!Number.isNaN(Date.parse(status.createdTime)) && status.createdTime.endsWith('Z'));
    assert.ok(!Number.isNaN(Date.parse(status.lastUpdatedTime)));
  });

  it('shows input and output with --show-input true --show-output true', async () => {
    const result = await cli.run(['get-runtime-status', '--id', 'approval-1', '--show-input', 'true', '--show-output', 'TRUE']);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(status), STATUS_KEYS);
    assert.deepEqual(status.input, { timeoutSeconds: 60 });
    assert.equal(status.output, null);
  });

  it('takes the flags alone as true, and false as false', async () => {
    const alone = JSON.parse((await cli.run(['get-runtime-status', '--show-input', '--show-output', '--id', 'approval-1'])).stdout);
    assert.deepEqual(Object.keys(alone), STATUS_KEYS);
    const off = JSON.parse((await cli.run(['get-runtime-status', '--id', 'approval-1', '--show-input', 'false', '--show-output', 'False'])).stdout);
    assert.ok(!('input' in off) && !('output' in off));
  });
});

describe('taskhub get-instances', () => {
  let cli: CliStore;
  const ids: string[] = [];
  let middle: string;
  before(async () => {
    cli = await createCliStore();
    for (let i = 0; i < 12; i++) {
      const id = `order-${String(i).padStart(2, '0')}`;
      await cli.client.startNew(i % 3 === 0 ? 'Sleep' : 'HelloWorld', { instanceId: id, input: i });
      ids.push(id);
      if (i === 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        middle = new Date().toISOString();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await cli.client.startNew('HelloWorld', { instanceId: 'other-1' });
  });
  after(() => cli.close());

  it('prints 10 by default, then the token of the next page; the last page has an empty token', async () => {
    const first = await cli.run(['get-instances']);
    assert.equal(first.code, 0, first.stderr);
    const page1 = parsePage(first.stdout);
    assert.equal(page1.instances.length, 10);
    assert.notEqual(page1.token, '');
    assert.ok(!('input' in page1.instances[0]!), 'inputs are hidden on lists by default');
    const second = await cli.run(['get-instances', '--continuation-token', page1.token]);
    assert.equal(second.code, 0, second.stderr);
    const page2 = parsePage(second.stdout);
    assert.equal(page2.token, '');
    const seen = [...page1.instances, ...page2.instances].map((s) => s.instanceId);
    assert.deepEqual([...seen].sort(), [...ids, 'other-1'].sort(), 'every instance once, none repeated or skipped');
  });

  it('--order-by newest lists newest first, paging on with its own token; oldest is the default; anything else is a usage error', async () => {
    const all = [...ids, 'other-1'];
    const oldest = parsePage((await cli.run(['get-instances', '--top', '100', '--order-by', 'oldest'])).stdout);
    assert.deepEqual(oldest.instances.map((s) => s.instanceId), all);
    const first = await cli.run(['get-instances', '--top', '7', '--order-by', 'Newest']);
    assert.equal(first.code, 0, first.stderr);
    const page1 = parsePage(first.stdout);
    const page2 = parsePage((await cli.run(['get-instances', '--top', '7', '--order-by', 'newest', '--continuation-token', page1.token])).stdout);
    assert.deepEqual([...page1.instances, ...page2.instances].map((s) => s.instanceId), [...all].reverse());
    assert.equal(page2.token, '');
    const bad = await cli.run(['get-instances', '--order-by', 'sideways']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--order-by is oldest or newest, not "sideways"/);
    assert.doesNotMatch(bad.stderr, /at .*\.js/, 'no stack trace');
  });

  it('--top sets the page size', async () => {
    const page = parsePage((await cli.run(['get-instances', '--top', '4'])).stdout);
    assert.equal(page.instances.length, 4);
    assert.notEqual(page.token, '');
  });

  it('--runtime-status takes several names, any case, space-separated', async () => {
    const pending = parsePage((await cli.run(['get-instances', '--runtime-status', 'pending', 'RUNNING', '--top', '100'])).stdout);
    assert.equal(pending.instances.length, 13);
    const none = parsePage((await cli.run(['get-instances', '--runtime-status', 'completed', 'failed'])).stdout);
    assert.deepEqual(none, { instances: [], token: '' });
  });

  it('--created-after and --created-before select by creation time (ISO 8601)', async () => {
    const later = parsePage((await cli.run(['get-instances', '--created-after', middle, '--top', '100'])).stdout);
    assert.deepEqual(later.instances.map((s) => s.instanceId).sort(), [...ids.slice(6), 'other-1'].sort());
    const earlier = parsePage((await cli.run(['get-instances', '--created-before', middle, '--top', '100'])).stdout);
    assert.deepEqual(earlier.instances.map((s) => s.instanceId).sort(), ids.slice(0, 6));
    const future = parsePage((await cli.run(['get-instances', '--created-after', '2999-01-01'])).stdout);
    assert.equal(future.instances.length, 0);
  });

  it('--instance-id-prefix, --name and --show-input (beyond func durable)', async () => {
    const prefixed = parsePage((await cli.run(['get-instances', '--instance-id-prefix', 'other-'])).stdout);
    assert.deepEqual(prefixed.instances.map((s) => s.instanceId), ['other-1']);
    const sleeps = parsePage((await cli.run(['get-instances', '--name', 'Sleep', '--show-input', 'true'])).stdout);
    assert.deepEqual(sleeps.instances.map((s) => [s.instanceId, s.input]), [
      ['order-00', 0],
      ['order-03', 3],
      ['order-06', 6],
      ['order-09', 9],
    ]);
  });

  it('prints an empty page for an empty hub', async () => {
    const result = await cli.run(['get-instances', '--task-hub-name', 'EmptyHub']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "[]\nContinuation token for next set of results: ''\n");
  });
});
