/** Every client operation (S-START-1 … S-HUB-1 in docs/reliability.md), with its wrong-state, not-found and bad-input answers, on every store. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InstanceExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  InvalidArgumentError,
  PayloadTooLargeError,
  TaskHubClient,
  UnknownOrchestratorError,
  WrongStateError,
  Worker,
  silentLogger,
} from '../../src/index.js';
import { testRegistry } from '../support/test-app.js';
import { startHarness, type Harness } from '../support/harness.js';
import { storesUnderTest } from '../support/stores.js';
import { waitForCustomStatus, waitForStatus } from '../support/polling.js';

for (const kind of storesUnderTest()) {
  describe(`client operations on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(kind, { maxPayloadBytes: 4096 });
    });
    after(async () => {
      await h.close();
    });
    const finish = (id: string) => h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    const count = async () => Object.values(await h.client.countInstances()).reduce((a, b) => a + b, 0);

    describe('startNew', () => {
      it('returns a random 32-hex id at once, and the instance is Pending or later', async () => {
        const id = await h.client.startNew('HelloWorld');
        assert.match(id, /^[0-9a-f]{32}$/);
        const status = await h.client.getStatus(id);
        assert.ok(status);
        assert.ok(['Pending', 'Running', 'Completed'].includes(status.runtimeStatus));
      });

      it('rejects invalid instance ids and stores nothing', async () => {
        const before = await count();
        for (const bad of ['', 'a/b', 'a\\b', 'a#b', 'a?b', '@x', 'x\u0000', 'x\u007f', 'x\u009f', 'a'.repeat(257), 'bad\ud800']) {
          await assert.rejects(h.client.startNew('HelloWorld', { instanceId: bad }), InvalidArgumentError, JSON.stringify(bad));
        }
        assert.equal(await count(), before);
      });

      it('accepts odd but allowed ids and round-trips them exactly', async () => {
        for (const odd of ["a'b", 'a"b', 'x; DROP TABLE t', '%2F', '..', 'שלום', 'a'.repeat(256), 'a b']) {
          const id = await h.client.startNew('HelloWorld', { instanceId: odd, input: 'x' });
          assert.equal(id, odd);
          assert.equal((await finish(odd)).instanceId, odd);
          assert.deepEqual(await h.client.purgeInstanceHistory(odd), { instancesDeleted: 1 });
        }
      });

      it('refuses an unknown orchestrator when the registry is known, storing nothing', async () => {
        const before = await count();
        await assert.rejects(h.client.startNew('NoSuchThing'), UnknownOrchestratorError);
        assert.equal(await count(), before);
      });

      it('lets a worker fail an unknown orchestrator started without a registry (S-START-5)', async () => {
        const bare = new TaskHubClient({ backend: h.backend, hub: h.hub });
        const id = await bare.startNew('NoSuchThing');
        const status = await finish(id);
        assert.equal(status.runtimeStatus, 'Failed');
        assert.match(String(status.output), /^Orchestrator function 'NoSuchThing' failed: orchestrator 'NoSuchThing' is not registered/);
        assert.equal(status.failureDetails?.errorType, 'UnknownOrchestratorError');
      });

      it('rejects payloads over the limit and values JSON cannot hold, storing nothing', async () => {
        const before = await count();
        await assert.rejects(h.client.startNew('HelloWorld', { input: 'x'.repeat(5000) }), PayloadTooLargeError);
        await assert.rejects(h.client.startNew('HelloWorld', { input: 10n }), InvalidArgumentError);
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        await assert.rejects(h.client.startNew('HelloWorld', { input: cycle }), InvalidArgumentError);
        assert.equal(await count(), before);
      });

      it('counts payload size in UTF-8 bytes: at the limit passes, one byte over fails', async () => {
        // '"' + n × 'é' (2 bytes each) + '"' = 2n + 2 bytes
        const atLimit = 'é'.repeat(2047);
        const id = await h.client.startNew('HelloWorld', { input: atLimit });
        assert.ok(id);
        await assert.rejects(h.client.startNew('HelloWorld', { input: `${atLimit}x` }), PayloadTooLargeError);
      });

      it('refuses an id in use by an unfinished instance (409) and replaces a finished one', async () => {
        const id = `dup-${Date.now()}`;
        await h.client.startNew('Approval', { instanceId: id, input: { timeoutSeconds: 60 } });
        await assert.rejects(h.client.startNew('HelloWorld', { instanceId: id }), InstanceExistsError);
        await h.client.terminate(id, 'done with it');
        await waitForStatus(h.client, id, 'Terminated');
        await h.client.startNew('HelloWorld', { instanceId: id, input: 'again' });
        const status = await finish(id);
        assert.equal(status.name, 'HelloWorld');
        assert.equal(status.output, 'Hello again!');
        const types = (await h.client.getHistory(id)).map((e) => e.type);
        assert.ok(!types.includes('ExecutionTerminated'), 'the old history is gone');
      });

      it('T12: of 50 concurrent starts with one id, exactly one wins and the rest get InstanceExistsError', async () => {
        const id = `race-${Date.now()}`;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, () => h.client.startNew('Approval', { instanceId: id, input: { timeoutSeconds: 60 } })),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
        for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof InstanceExistsError);
        assert.equal((await h.client.listInstances({ instanceIdPrefix: id })).instances.length, 1);
        await h.client.terminate(id);
      });

      it('keeps a scheduled instance Pending until its start time', async () => {
        const startAt = new Date(Date.now() + 600);
        const id = await h.client.startNew('HelloWorld', { input: 'later', startAt });
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal((await h.client.getStatus(id))?.runtimeStatus, 'Pending');
        const status = await finish(id);
        assert.equal(status.output, 'Hello later!');
        assert.ok(Date.parse(status.lastUpdatedTime) >= startAt.getTime());
      });
    });

    describe('getStatus and getHistory', () => {
      it('returns undefined for an unknown instance', async () => {
        assert.equal(await h.client.getStatus('no-such-instance'), undefined);
        await assert.rejects(h.client.getHistory('no-such-instance'), InstanceNotFoundError);
      });

      it('shows the S-QUERY-1 keys, and history folded as the DF HTTP API does', async () => {
        const id = await h.client.startNew('E1_HelloSequence', { input: { note: 'in' } });
        await finish(id);
        const plain = await h.client.getStatus(id);
        assert.deepEqual(Object.keys(plain!), ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'createdTime', 'lastUpdatedTime', 'tags'], 'failureDetails only when Failed');
        assert.deepEqual(plain!.input, { note: 'in' });
        assert.equal(plain!.history, undefined);

        const noInput = await h.client.getStatus(id, { showInput: false });
        assert.ok(!('input' in noInput!));

        const withHistory = await h.client.getStatus(id, { showHistory: true });
        const history = withHistory!.history!;
        assert.deepEqual(
          history.map((e) => e.EventType),
          ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
        );
        assert.equal(history[1]!.FunctionName, 'E1_SayHello');
        assert.ok(typeof history[1]!.ScheduledTime === 'string');
        assert.ok(!('Result' in history[1]!), 'Result keys need showHistoryOutput');
        assert.deepEqual(history[0]!.Input, { note: 'in' });

        const withOutput = await h.client.getStatus(id, { showHistory: true, showHistoryOutput: true, showInput: false });
        assert.equal(withOutput!.history![1]!.Result, 'Hello Tokyo!');
        assert.ok(!('Input' in withOutput!.history![0]!), 'Input keys hidden without showInput');

        const raw = await h.client.getHistory(id);
        assert.equal(raw[0]!.type, 'OrchestratorStarted');
        assert.equal(raw.at(-1)!.type, 'OrchestratorCompleted');
        const page = await h.client.getHistory(id, { fromSequence: 2, limit: 3 });
        assert.deepEqual(page, raw.slice(2, 5));
      });
    });

    describe('terminate', () => {
      it('terminates a running instance with the reason as output', async () => {
        const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await waitForCustomStatus(h.client, id, 'waiting-for-approval');
        await h.client.terminate(id, 'no longer needed');
        const status = await waitForStatus(h.client, id, 'Terminated');
        assert.equal(status.output, 'no longer needed');
      });

      it('terminates a Pending instance before it runs', async () => {
        const id = await h.client.startNew('HelloWorld', { startAt: new Date(Date.now() + 60_000) });
        await h.client.terminate(id, 'never mind');
        const status = await waitForStatus(h.client, id, 'Terminated');
        assert.equal(status.output, 'never mind');
      });

      it('T16: two terminations and an event racing each other end Terminated with the first reason', async () => {
        const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await Promise.all([h.client.terminate(id, 'first'), h.client.raiseEvent(id, 'Approval', 'late')]);
        await h.client.terminate(id, 'second').catch((error: unknown) => assert.ok(error instanceof InstanceFinishedError));
        const status = await waitForStatus(h.client, id, 'Terminated');
        assert.equal(status.output, 'first');
        const types = (await h.client.getHistory(id)).map((e) => e.type);
        assert.equal(types.filter((t) => t === 'ExecutionTerminated').length, 1);
      });

      it('is not found for an unknown id and refused once finished', async () => {
        await assert.rejects(h.client.terminate('nobody-here', 'x'), InstanceNotFoundError);
        const id = await h.client.startNew('HelloWorld');
        await finish(id);
        await assert.rejects(h.client.terminate(id, 'late'), InstanceFinishedError);
      });

      it('with recursive: true also terminates running sub-orchestrations', async () => {
        const parent = await h.client.startNew('ParentOfApprovals');
        await waitForCustomStatus(h.client, `${parent}:0`, 'waiting-for-approval');
        await h.client.terminate(parent, 'all of it', { recursive: true });
        await waitForStatus(h.client, parent, 'Terminated');
        await waitForStatus(h.client, `${parent}:0`, 'Terminated');
      });
    });

    describe('raiseEvent', () => {
      it('is not found for an unknown instance and refused for a finished one', async () => {
        await assert.rejects(h.client.raiseEvent('nobody-here', 'Approval', 1), InstanceNotFoundError);
        const id = await h.client.startNew('HelloWorld');
        await finish(id);
        await assert.rejects(h.client.raiseEvent(id, 'Approval', 1), InstanceFinishedError);
      });

      it('keeps an event raised before the orchestrator waits for it', async () => {
        const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 }, startAt: new Date(Date.now() + 300) });
        await h.client.raiseEvent(id, 'Approval', 'early');
        const status = await finish(id);
        assert.deepEqual(status.output, { outcome: 'approved', data: 'early' });
      });
    });

    describe('suspend and resume', () => {
      it('holds events while Suspended and delivers them after resume', async () => {
        const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await waitForCustomStatus(h.client, id, 'waiting-for-approval');
        await h.client.suspend(id, 'maintenance');
        const suspended = await waitForStatus(h.client, id, 'Suspended');
        assert.equal(suspended.output, 'maintenance');
        await h.client.suspend(id, 'a second time');
        await h.client.raiseEvent(id, 'Approval', 'while suspended');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await h.client.getStatus(id))?.runtimeStatus, 'Suspended', 'no progress while suspended');
        await h.client.resume(id, 'back');
        const status = await finish(id);
        assert.deepEqual(status.output, { outcome: 'approved', data: 'while suspended' });
        const suspensions = (await h.client.getHistory(id)).filter((event) => event.type === 'ExecutionSuspended');
        assert.deepEqual(suspensions.map((event) => ('reason' in event ? event.reason : undefined)), ['maintenance'], 'the second suspension changed nothing');
      });

      it('queues suspend and resume for an instance that has not started: it starts suspended, or running', async () => {
        const suspendedAtStart = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 }, startAt: new Date(Date.now() + 400) });
        const resumedAtStart = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 }, startAt: new Date(Date.now() + 400) });
        for (const id of [suspendedAtStart, resumedAtStart]) await h.client.suspend(id, 'not yet');
        await h.client.resume(resumedAtStart, 'go after all');
        assert.equal((await h.client.getStatus(suspendedAtStart))?.runtimeStatus, 'Pending');
        await waitForStatus(h.client, suspendedAtStart, 'Suspended');
        await waitForCustomStatus(h.client, resumedAtStart, 'waiting-for-approval');
        assert.equal((await h.client.getStatus(resumedAtStart))?.runtimeStatus, 'Running');
        for (const id of [suspendedAtStart, resumedAtStart]) await h.client.terminate(id);
      });

      it('accepts resume of a running instance, which stays Running; refuses both on finished ones (410)', async () => {
        const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await waitForCustomStatus(h.client, id, 'waiting-for-approval');
        await h.client.resume(id, 'not suspended');
        await h.client.raiseEvent(id, 'Approval', 'after the resume');
        assert.deepEqual((await finish(id)).output, { outcome: 'approved', data: 'after the resume' });
        assert.equal((await h.client.getHistory(id)).some((event) => event.type === 'ExecutionResumed'), false, 'the resume changed nothing');
        await assert.rejects(h.client.suspend(id), InstanceFinishedError);
        await assert.rejects(h.client.resume(id), InstanceFinishedError);
        await assert.rejects(h.client.suspend('nobody-here'), InstanceNotFoundError);
      });
    });

    describe('rewind', () => {
      it('is refused for instances that have not failed', async () => {
        const id = await h.client.startNew('HelloWorld');
        await finish(id);
        await assert.rejects(h.client.rewind(id, 'why'), WrongStateError);
        await assert.rejects(h.client.rewind('nobody-here'), InstanceNotFoundError);
      });
    });

    describe('restart', () => {
      it('starts the same orchestrator with the same input under a new id, or the same id', async () => {
        const id = await h.client.startNew('HelloWorld', { input: 'Paris' });
        await finish(id);
        const newId = await h.client.restart(id);
        assert.notEqual(newId, id);
        assert.equal((await finish(newId)).output, 'Hello Paris!');
        const sameId = await h.client.restart(id, { restartWithNewInstanceId: false });
        assert.equal(sameId, id);
        assert.equal((await finish(id)).output, 'Hello Paris!');
        await assert.rejects(h.client.restart('nobody-here'), InstanceNotFoundError);
      });

      it('refuses to restart a running instance under its own id', async () => {
        const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await assert.rejects(h.client.restart(id, { restartWithNewInstanceId: false }), WrongStateError);
        await h.client.terminate(id);
      });
    });

    describe('purge', () => {
      it('purges one finished instance with all its data; refuses unfinished and unknown ones', async () => {
        const id = await h.client.startNew('HelloWorld');
        await finish(id);
        assert.deepEqual(await h.client.purgeInstanceHistory(id), { instancesDeleted: 1 });
        assert.equal(await h.client.getStatus(id), undefined);
        await assert.rejects(h.client.purgeInstanceHistory(id), InstanceNotFoundError);
        const running = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await assert.rejects(h.client.purgeInstanceHistory(running), WrongStateError);
        assert.ok(await h.client.getStatus(running));
        await h.client.terminate(running);
      });

      it('purges by filter only finished instances in the range', async () => {
        const hub = h.client.forHub(`${h.hub}_purge`);
        const from = new Date();
        const done = await Promise.all([1, 2, 3].map(() => hub.startNew('HelloWorld')));
        const waiting = await hub.startNew('Approval', { input: { timeoutSeconds: 60 } });
        await assert.rejects(hub.purgeInstanceHistoryBy({ runtimeStatus: ['Running'] }), InvalidArgumentError);
        // No worker serves this hub: run one briefly.
        const side = startWorkerFor(h, hub.hub);
        await Promise.all(done.map((id) => hub.waitForCompletion(id, { timeoutInMilliseconds: 20_000 })));
        assert.deepEqual(await hub.purgeInstanceHistoryBy({ createdTimeFrom: from, runtimeStatus: ['Completed'] }), { instancesDeleted: 3 });
        assert.ok(await hub.getStatus(waiting), 'the running instance is untouched');
        assert.deepEqual(await hub.purgeInstanceHistoryBy({ createdTimeFrom: from }), { instancesDeleted: 0 });
        await side.stop();
        await hub.deleteTaskHub();
      });
    });

    describe('listing', () => {
      it('refuses unknown runtime status names from plain JavaScript, with the message of the HTTP API and the CLI', async () => {
        // What a caller without the types can pass.
        type FilterMethod = 'listInstances' | 'countInstances' | 'purgeInstanceHistoryBy';
        const untyped = h.client as unknown as Record<FilterMethod, (filter: unknown) => Promise<unknown>>;
        const refusal = (message: RegExp) => (error: unknown) => error instanceof InvalidArgumentError && message.test(error.message);
        const unknownName = refusal(/^unknown runtime status 'Bogus'; use one of Pending, Running, Completed/);
        await assert.rejects(untyped.listInstances({ runtimeStatus: ['Bogus'] }), unknownName);
        await assert.rejects(untyped.listInstances({ runtimeStatus: ['Running', 'Bogus'] }), unknownName);
        await assert.rejects(untyped.countInstances({ runtimeStatus: ['Bogus'] }), unknownName);
        await assert.rejects(untyped.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0), runtimeStatus: ['Bogus'] }), unknownName);
        await assert.rejects(untyped.listInstances({ runtimeStatus: 'Running' }), refusal(/runtimeStatus must be an array of runtime status names/));
        await assert.rejects(untyped.listInstances({ runtimeStatus: [42] }), refusal(/runtimeStatus must hold runtime status names, not numbers/));

        const id = await h.client.startNew('HelloWorld', { input: 'case' });
        await finish(id);
        const page = (await untyped.listInstances({ runtimeStatus: ['completed'], instanceIdPrefix: id })) as { instances: unknown[] };
        assert.equal(page.instances.length, 1, 'any letter case, as on the HTTP API');
      });

      it('lists newest first with orderBy: newest, paging on by its token, and refuses another order', async () => {
        const prefix = `order-by-${Date.now()}-`;
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await h.client.startNew('HelloWorld', { instanceId: `${prefix}${i}`, input: 'order' }));
        const listed = async (orderBy: 'oldest' | 'newest' | undefined) => {
          const seen: string[] = [];
          let continuationToken: string | undefined;
          do {
            const page = await h.client.listInstances({ instanceIdPrefix: prefix, pageSize: 2, orderBy, continuationToken });
            seen.push(...page.instances.map((status) => status.instanceId));
            continuationToken = page.continuationToken;
          } while (continuationToken);
          return seen;
        };
        assert.deepEqual(await listed(undefined), ids);
        assert.deepEqual(await listed('oldest'), ids);
        assert.deepEqual(await listed('newest'), [...ids].reverse());
        const untyped = h.client as unknown as { listInstances: (options: unknown) => Promise<unknown> };
        await assert.rejects(untyped.listInstances({ orderBy: 'createdTime desc' }), (error: unknown) =>
          error instanceof InvalidArgumentError && /the list order must be oldest or newest, not "createdTime desc"/.test(error.message));
        for (const id of ids) await finish(id);
      });

      it('refuses a NUL, control or hidden character in the name and prefix filters alike on every store', async () => {
        const id = await h.client.startNew('HelloWorld', { input: 'nul' });
        await finish(id);
        const before = await count();
        for (const [key, label] of [['name', 'the name filter'], ['instanceIdPrefix', 'the instanceIdPrefix filter']] as const) {
          for (const text of ['\u0000', `${id}\u0000`, 'x\u0007', '\u202E']) {
            const refused = (error: unknown) =>
              error instanceof InvalidArgumentError && error.message.startsWith(`${label} '`) && / contains (a control character|an invisible or bidirectional formatting character) \(U\+/.test(error.message);
            await assert.rejects(h.client.listInstances({ [key]: text }), refused);
            await assert.rejects(h.client.countInstances({ [key]: text }), refused);
            await assert.rejects(h.client.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0), [key]: text }), refused);
          }
        }
        assert.equal(await count(), before);
      });

      it('filters by status, time, prefix and name, pages without repeats or skips while instances are created', async () => {
        const hub = h.client.forHub(`${h.hub}_list`);
        const created: string[] = [];
        for (let i = 0; i < 25; i++) created.push(await hub.startNew('HelloWorld', { instanceId: `p-${String(i).padStart(2, '0')}`, input: i }));
        for (let i = 0; i < 5; i++) await hub.startNew('Sleep', { instanceId: `q-${i}` });

        const seen: string[] = [];
        let token: string | undefined;
        let extra = 0;
        do {
          const page = await hub.listInstances({ pageSize: 7, continuationToken: token });
          assert.ok(page.instances.length <= 7);
          seen.push(...page.instances.map((s) => s.instanceId));
          if (extra < 3) await hub.startNew('HelloWorld', { instanceId: `z-${extra++}` });
          token = page.continuationToken;
        } while (token);
        assert.equal(new Set(seen).size, seen.length, 'no instance repeated');
        for (const id of [...created, 'q-0', 'q-4', 'z-0', 'z-1']) assert.ok(seen.includes(id), `${id} listed`);

        const prefixed = await hub.listInstances({ instanceIdPrefix: 'q-', pageSize: 100 });
        assert.deepEqual(prefixed.instances.map((s) => s.instanceId).sort(), ['q-0', 'q-1', 'q-2', 'q-3', 'q-4']);
        const withInput = await hub.listInstances({ instanceIdPrefix: 'p-0' });
        assert.deepEqual(withInput.instances.map((s) => s.input), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'lists show inputs by default, as Durable Functions');
        const withoutInput = await hub.listInstances({ instanceIdPrefix: 'p-0', showInput: false });
        assert.ok(withoutInput.instances.every((s) => !('input' in s)));
        const byName = await hub.listInstances({ name: 'Sleep', pageSize: 100 });
        assert.equal(byName.instances.length, 5);
        const pending = await hub.listInstances({ runtimeStatus: ['Pending'], instanceIdPrefix: 'q-', pageSize: 100 });
        assert.equal(pending.instances.length, 5, 'no worker serves this hub, so all are Pending');
        const none = await hub.listInstances({ runtimeStatus: ['Completed'] });
        assert.deepEqual(none.instances, []);
        const future = await hub.listInstances({ createdTimeFrom: new Date(Date.now() + 60_000) });
        assert.deepEqual(future.instances, []);
        const past = await hub.listInstances({ createdTimeTo: new Date(Date.now() + 60_000), pageSize: 1000 });
        assert.equal(past.instances.length, 33);

        const all: string[] = [];
        for await (const status of hub.listAllInstances({ pageSize: 4 })) all.push(status.instanceId);
        assert.equal(all.length, 33);

        const counts = await hub.countInstances();
        assert.equal(counts.Pending, 33);
        assert.equal(counts.Completed, 0);
        assert.equal((await hub.countInstances({ name: 'Sleep' })).Pending, 5);

        await assert.rejects(hub.listInstances({ pageSize: 0 }), InvalidArgumentError);
        await assert.rejects(hub.listInstances({ continuationToken: 'not-a-token' }), InvalidArgumentError);
        await hub.deleteTaskHub();
        assert.deepEqual((await hub.listInstances()).instances, []);
      });
    });

    describe('task hubs', () => {
      it('deleteTaskHub removes exactly its own hub', async () => {
        const a = h.client.forHub(`${h.hub}_a`);
        const b = h.client.forHub(`${h.hub}_b`);
        await a.startNew('HelloWorld', { instanceId: 'same-id' });
        await b.startNew('HelloWorld', { instanceId: 'same-id' });
        await a.deleteTaskHub();
        assert.equal(await a.getStatus('same-id'), undefined);
        assert.ok(await b.getStatus('same-id'));
        await b.deleteTaskHub();
      });

      it('rejects invalid hub names', () => {
        assert.throws(() => h.client.forHub('9starts-with-digit'), InvalidArgumentError);
        assert.throws(() => h.client.forHub("x'; drop"), InvalidArgumentError);
      });
    });

    describe('HTTP helpers (S-WAIT-1, S-PAYLOAD-1)', () => {
      it('builds the management payload on the request origin', () => {
        const payload = h.client.createHttpManagementPayload('abc', 'http://example.test:8080/api/start?x=1');
        assert.equal(payload.id, 'abc');
        // The `connection` taskhub serve writes, and its own store answers to.
        assert.equal(payload.statusQueryGetUri, `http://example.test:8080/runtime/webhooks/durabletask/instances/abc?taskHub=${h.hub}&connection=TASKHUB_STORAGE`);
        assert.match(payload.sendEventPostUri, /\/instances\/abc\/raiseEvent\/\{eventName\}\?/);
        for (const key of ['terminatePostUri', 'rewindPostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri'] as const) {
          assert.ok(payload[key].startsWith('http://example.test:8080/runtime/webhooks/durabletask/instances/abc'));
        }
        const response = h.client.createCheckStatusResponse({ url: '/start', headers: { host: 'localhost:7071' } }, 'abc');
        assert.equal(response.status, 202);
        assert.equal(response.headers.Location, (response.body as { statusQueryGetUri: string }).statusQueryGetUri);
        assert.equal(response.headers['Retry-After'], '10');
      });

      it('waitForCompletionOrCreateCheckStatusResponse answers 200, 500 or 202', async () => {
        const url = 'http://localhost:7071/orchestrators/x';
        const done = await h.client.startNew('E1_HelloSequence');
        const ok = await h.client.waitForCompletionOrCreateCheckStatusResponse(url, done, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 100 });
        assert.equal(ok.status, 200);
        assert.deepEqual(ok.body, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

        const fails = await h.client.startNew('AlwaysFails');
        const failed = await h.client.waitForCompletionOrCreateCheckStatusResponse(url, fails, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 100 });
        assert.equal(failed.status, 500);
        const failedBody = failed.body as Record<string, unknown>;
        assert.equal(failedBody.runtimeStatus, 'Failed');
        assert.equal(failedBody.output, "Orchestrator function 'AlwaysFails' failed: activity 'Boom' (task 0) failed: boom");
        assert.equal((failedBody.failureDetails as { errorType: string }).errorType, 'TaskFailedError');

        const slow = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
        const pending = await h.client.waitForCompletionOrCreateCheckStatusResponse(url, slow, { timeoutInMilliseconds: 200, retryIntervalInMilliseconds: 50 });
        assert.equal(pending.status, 202);
        await h.client.terminate(slow, 'stop');
        const terminated = await h.client.waitForCompletionOrCreateCheckStatusResponse(url, slow, { timeoutInMilliseconds: 10_000, retryIntervalInMilliseconds: 50 });
        assert.equal(terminated.status, 200);
        assert.equal((terminated.body as { runtimeStatus: string }).runtimeStatus, 'Terminated');
        assert.deepEqual(
          Object.keys(terminated.body as object),
          ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'failureDetails', 'createdTime', 'lastUpdatedTime', 'tags'],
          'the body is the HTTP status JSON, every key present',
        );

        await assert.rejects(
          h.client.waitForCompletionOrCreateCheckStatusResponse(url, slow, { timeoutInMilliseconds: 100, retryIntervalInMilliseconds: 200 }),
          InvalidArgumentError,
        );
      });
    });
  });
}

function startWorkerFor(h: Harness, hub: string): Worker {
  const worker = new Worker({ backend: h.backend, hub, registry: testRegistry(), logger: silentLogger });
  worker.start();
  return worker;
}
