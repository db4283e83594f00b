/**
 * S-CLI end to end: the binary changes the store and a worker in another process does the work, as with
 * Core Tools and a running function app. Every management command, on the demo app.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnWorker, stopGracefully, type WorkerProcess } from '../support/spawn-worker.js';
import { eventually, waitForCustomStatus, waitForStatus } from '../support/polling.js';
import { createCliStore, parsePage, type CliStore } from './cli-harness.js';

describe('taskhub with a worker in another process', () => {
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

  async function startNew(name: string, ...args: string[]): Promise<string> {
    const result = await cli.run(['start-new', '--function-name', name, ...args]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  }

  async function runtimeStatus(id: string, ...flags: string[]): Promise<Record<string, unknown>> {
    const result = await cli.run(['get-runtime-status', '--id', id, ...flags]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  }

  it('start-new, get-runtime-status --show-output, get-history: the seed sample', async () => {
    const id = await startNew('E1_HelloSequence');
    await waitForStatus(cli.client, id, 'Completed');
    const status = await runtimeStatus(id, '--show-output', 'true');
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    assert.ok(!('input' in status));

    const result = await cli.run(['get-history', '--id', id]);
    assert.equal(result.code, 0, result.stderr);
    const history = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.deepEqual(history.map((e) => e.EventType), ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted']);
    assert.equal(history[0]!.FunctionName, 'E1_HelloSequence');
    const completed = history.slice(1, 4);
    assert.deepEqual(completed.map((e) => [e.FunctionName, e.Result]), [
      ['E1_SayHello', 'Hello Tokyo!'],
      ['E1_SayHello', 'Hello Seattle!'],
      ['E1_SayHello', 'Hello London!'],
    ]);
    for (const event of completed) assert.ok(typeof event.ScheduledTime === 'string' && typeof event.Timestamp === 'string');
    assert.equal(history[4]!.OrchestrationStatus, 'Completed');
    assert.deepEqual(history[4]!.Result, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('raise-event with --event-data from a file and inline; a finished instance refuses events (exit 1)', async () => {
    writeFileSync(join(cli.directory, 'eventdata.json'), JSON.stringify({ approver: 'Ana', note: 'ünïcödé ✓' }));
    const fromFile = await startNew('Approval', '--input', '{"timeoutSeconds": 600}');
    const inline = await startNew('Approval', '--input', '{"timeoutSeconds": 600}');
    await waitForCustomStatus(cli.client, fromFile, 'waiting-for-approval');
    await waitForCustomStatus(cli.client, inline, 'waiting-for-approval');

    const sent = await cli.run(['raise-event', '--id', fromFile, '--event-name', 'Approval', '--event-data', '@eventdata.json']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout, `Event 'Approval' sent to instance '${fromFile}'.\n`);
    assert.equal((await cli.run(['raise-event', '--id', inline, '--event-name', 'Approval', '--event-data', '3'])).code, 0);

    await waitForStatus(cli.client, fromFile, 'Completed');
    await waitForStatus(cli.client, inline, 'Completed');
    assert.deepEqual((await runtimeStatus(fromFile, '--show-output')).output, { outcome: 'approved', data: { approver: 'Ana', note: 'ünïcödé ✓' } });
    assert.deepEqual((await runtimeStatus(inline, '--show-output')).output, { outcome: 'approved', data: 3 });

    const late = await cli.run(['raise-event', '--id', inline, '--event-name', 'Approval']);
    assert.equal(late.code, 1);
    assert.equal(late.stderr, `error: cannot raise an event to instance '${inline}': it has already finished (Completed)\n`);
  });

  it('terminate waits for Terminated; the reason becomes the output; terminating again fails (exit 1)', async () => {
    const id = await startNew('Approval', '--input', '{"timeoutSeconds": 600}');
    await waitForCustomStatus(cli.client, id, 'waiting-for-approval');
    const result = await cli.run(['terminate', '--id', id, '--reason', 'Found a bug']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Instance '${id}' terminated.\n`);
    const status = await runtimeStatus(id, '--show-output', 'true');
    assert.equal(status.runtimeStatus, 'Terminated');
    assert.equal(status.output, 'Found a bug');

    const again = await cli.run(['terminate', '--id', id]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `error: cannot terminate instance '${id}': it has already finished (Terminated)\n`);
  });

  it('terminate --recursive also terminates the sub-orchestrations; --timeout 0 does not wait', async () => {
    const parent = await startNew('ParentOfApprovals');
    const child = await eventually('the child instance', async () => {
      const page = await cli.client.listInstances({ instanceIdPrefix: `${parent}:` });
      return page.instances[0]?.instanceId;
    });
    await waitForCustomStatus(cli.client, child, 'waiting-for-approval');
    const result = await cli.run(['terminate', '--id', parent, '--recursive', '--timeout', '0']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Termination of instance '${parent}' queued.\n`);
    await waitForStatus(cli.client, parent, 'Terminated');
    await waitForStatus(cli.client, child, 'Terminated');
  });

  it('suspend and resume; an event sent while suspended is delivered after resume', async () => {
    const id = await startNew('Approval', '--input', '{"timeoutSeconds": 600}');
    await waitForCustomStatus(cli.client, id, 'waiting-for-approval');
    const suspended = await cli.run(['suspend', '--id', id, '--reason', 'maintenance']);
    assert.equal(suspended.code, 0, suspended.stderr);
    assert.equal(suspended.stdout, `Suspension of instance '${id}' queued.\n`);
    await waitForStatus(cli.client, id, 'Suspended');
    assert.equal((await runtimeStatus(id)).runtimeStatus, 'Suspended');

    assert.equal((await cli.run(['raise-event', '--id', id, '--event-name', 'Approval', '--event-data', '"while suspended"'])).code, 0);
    const again = await cli.run(['suspend', '--id', id]);
    assert.equal(again.code, 0, 'suspending a Suspended instance succeeds and changes nothing');
    assert.equal(again.stdout, `Suspension of instance '${id}' queued.\n`);

    const resumed = await cli.run(['resume', '--id', id, '--reason', 'done']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, `Resumption of instance '${id}' queued.\n`);
    await waitForStatus(cli.client, id, 'Completed');
    assert.deepEqual((await runtimeStatus(id, '--show-output')).output, { outcome: 'approved', data: 'while suspended' });
    const finished = await cli.run(['suspend', '--id', id]);
    assert.equal(finished.code, 1);
    assert.equal(finished.stderr, `error: cannot suspend instance '${id}': it has already finished (Completed)\n`);
  });

  it('rewind runs the failed activity again; rewinding an instance that has not failed is refused (exit 1)', async () => {
    const id = await startNew('FlakyOnce');
    const failed = await waitForStatus(cli.client, id, 'Failed');
    assert.equal(failed.output, "Orchestrator function 'FlakyOnce' failed: activity 'FailsFirstTime' (task 0) failed: Simulated failure");
    const shown = await runtimeStatus(id, '--show-output');
    assert.equal(shown.output, failed.output);
    assert.equal((shown.failureDetails as { innerFailure?: { errorMessage: string } }).innerFailure?.errorMessage, 'Simulated failure');
    assert.equal('failureDetails' in (await runtimeStatus(id)), false, 'the failure is part of the output, hidden without --show-output');
    const result = await cli.run(['rewind', '--id', id, '--reason', 'Orchestrator failed and needs to be revived.']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Rewind of instance '${id}' queued.\n`);
    await waitForStatus(cli.client, id, 'Completed');
    assert.equal((await runtimeStatus(id, '--show-output')).output, 'recovered');

    const again = await cli.run(['rewind', '--id', id]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `error: cannot rewind instance '${id}': it is Completed, and only Failed instances can be\n`);
  });

  it('restart prints the new id (or the same with --new-instance-id false) and runs with the same input', async () => {
    const id = await startNew('HelloWorld', '--input', '"Bob"', '--id', 'restart-me');
    await waitForStatus(cli.client, id, 'Completed');
    const fresh = await cli.run(['restart', '--id', id]);
    assert.equal(fresh.code, 0, fresh.stderr);
    const newId = fresh.stdout.trim();
    assert.match(newId, /^[0-9a-f]{32}$/);
    assert.equal((await waitForStatus(cli.client, newId, 'Completed')).output, 'Hello Bob!');

    const same = await cli.run(['restart', '--id', id, '--new-instance-id', 'false']);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, 'restart-me\n');
    const restarted = await eventually('the restarted instance to complete', async () => {
      const status = await cli.client.getStatus(id);
      return status?.runtimeStatus === 'Completed' && status.createdTime !== undefined ? status : undefined;
    });
    assert.equal(restarted.output, 'Hello Bob!');
  });

  it('an orchestrator the worker does not know fails the instance with a clear error (S-START-5)', async () => {
    const id = await startNew('NoSuchOrchestrator');
    const status = await waitForStatus(cli.client, id, 'Failed');
    assert.match(JSON.stringify(status.output), /orchestrator 'NoSuchOrchestrator' is not registered/);
  });

  it("odd ids round-trip through start-new, raise-event, terminate, get-history and purge-instance (T22)", async () => {
    for (const id of ["a'b", 'x; DROP TABLE t', 'a"b', '%2F..%5C', 'מזהה']) {
      assert.equal(await startNew('Approval', '--id', id, '--input', '{"timeoutSeconds": 600}'), id);
      await waitForCustomStatus(cli.client, id, 'waiting-for-approval');
      assert.equal((await cli.run(['raise-event', '--id', id, '--event-name', 'Approval', '--event-data', JSON.stringify(id)])).code, 0);
      await waitForStatus(cli.client, id, 'Completed');
      assert.deepEqual((await runtimeStatus(id, '--show-output')).output, { outcome: 'approved', data: id });
      const history = JSON.parse((await cli.run(['get-history', '--id', id])).stdout) as Record<string, unknown>[];
      assert.equal(history.find((e) => e.EventType === 'EventRaised')?.Input, id);
      const purged = await cli.run(['purge-instance', '--id', id]);
      assert.deepEqual(JSON.parse(purged.stdout), { instancesDeleted: 1 });

      const terminated = `${id}-t`;
      await startNew('Approval', '--id', terminated, '--input', '{"timeoutSeconds": 600}');
      const result = await cli.run(['terminate', '--id', terminated, '--reason', id]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await runtimeStatus(terminated, '--show-output')).output, id);
    }
  });

  it('purge-instance deletes a finished instance; a second purge finds nothing (exit 1)', async () => {
    const id = await startNew('HelloWorld');
    await waitForStatus(cli.client, id, 'Completed');
    const result = await cli.run(['purge-instance', '--id', id]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { instancesDeleted: 1 });
    assert.equal(await cli.client.getStatus(id), undefined);
    const again = await cli.run(['purge-instance', '--id', id]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `error: no instance with id '${id}' in this task hub\n`);
  });

  it('purge-history by status and creation time, then with no filter every finished instance; running ones stay', async () => {
    const running = await startNew('Approval', '--input', '{"timeoutSeconds": 600}');
    const failed = [await startNew('AlwaysFails'), await startNew('AlwaysFails')];
    for (const id of failed) await waitForStatus(cli.client, id, 'Failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cutoff = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const late = [await startNew('HelloWorld'), await startNew('HelloWorld')];
    for (const id of late) await waitForStatus(cli.client, id, 'Completed');

    const byStatus = await cli.run(['purge-history', '--runtime-status', 'FAILED']);
    assert.equal(byStatus.code, 0, byStatus.stderr);
    assert.ok(JSON.parse(byStatus.stdout).instancesDeleted >= 2);
    for (const id of failed) assert.equal(await cli.client.getStatus(id), undefined);

    const byTime = await cli.run(['purge-history', '--created-after', cutoff, '--created-before', '2999-12-31T23:59:59.0000000Z']);
    assert.equal(byTime.code, 0, byTime.stderr);
    assert.deepEqual(JSON.parse(byTime.stdout), { instancesDeleted: 2 });

    const everything = await cli.run(['purge-history']);
    assert.equal(everything.code, 0, everything.stderr);
    const left = parsePage((await cli.run(['get-instances', '--top', '1000'])).stdout).instances;
    assert.ok(left.every((s) => !['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus as string)), JSON.stringify(left));
    assert.ok(left.some((s) => s.instanceId === running));
    assert.deepEqual(JSON.parse((await cli.run(['purge-history'])).stdout), { instancesDeleted: 0 });
  });

  it('delete-task-hub removes exactly that hub', async () => {
    const other = cli.client.forHub('OtherHub');
    await other.startNew('HelloWorld', { instanceId: 'in-other-hub' });
    const kept = await startNew('Approval', '--input', '{"timeoutSeconds": 600}');
    const result = await cli.run(['delete-task-hub', '--task-hub-name', 'OtherHub']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "Task hub 'OtherHub' deleted.\n");
    assert.equal(await other.getStatus('in-other-hub'), undefined);
    assert.ok(await cli.client.getStatus(kept));
  });
});
