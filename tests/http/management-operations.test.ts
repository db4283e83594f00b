/**
 * The operations table (src/client/operations.ts): every row has a route under each management base and a
 * `taskhub` command, and every surface refuses an operation in a state the row does not allow with the
 * row's text, the HTTP API with 409 or 410, the CLI with exit code 1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RuntimeStatus } from '../../src/core/history.js';
import { OPERATIONS, OPERATION_LIST, refusal, statesText, type ManagementOperation, type OperationName } from '../../src/client/operations.js';
import { InstanceFinishedError } from '../../src/errors.js';
import { MANAGEMENT_BASES } from '../../src/http/management-bases.js';
import { runInProcess } from '../cli/in-process.js';
import { HUB, assertErrorBody, finishedInstance, startTestServer, type TestServer } from './http-harness.js';

/** What each row's route and command need besides the instance id, and a query that makes restart check its states. */
const ROUTE_PARAMETERS: Partial<Record<OperationName, { params?: Record<string, string>; query?: string }>> = {
  raiseEvent: { params: { eventName: 'Approval' } },
  restart: { query: 'restartWithNewInstanceId=false' },
};
const COMMAND_FLAGS: Partial<Record<OperationName, string[]>> = {
  raiseEvent: ['--event-name', 'Approval'],
  restart: ['--new-instance-id', 'false'],
  terminate: ['--timeout', '0'],
};

const NAMES = Object.keys(OPERATIONS) as OperationName[];

let server: TestServer;
let instances: Partial<Record<RuntimeStatus, string>>;
before(async () => {
  server = await startTestServer();
  instances = {
    Pending: await server.client.startNew('HelloWorld', { input: 'later', startAt: new Date(Date.now() + 3_600_000) }),
    Completed: await finishedInstance(server.client, 'HelloWorld', 'done'),
  };
});
after(async () => {
  await server.close();
});

function urlOf(base: string, name: OperationName, instanceId: string): string {
  const { params = {}, query } = ROUTE_PARAMETERS[name] ?? {};
  const path = OPERATIONS[name].route.path.replace(/:(\w+)/g, (_, key: string) => params[key] ?? '');
  const instance = `${base}/instances/${encodeURIComponent(instanceId)}`;
  return `${path === '' ? instance : `${instance}/${path}`}?taskHub=${HUB}${query ? `&${query}` : ''}`;
}

/** The states of the test's instances that `operation` refuses. */
function refusedStates(operation: ManagementOperation): RuntimeStatus[] {
  return (Object.keys(instances) as RuntimeStatus[]).filter((status) => !operation.allowedFrom.includes(status));
}

describe('the operations table', () => {
  test('names the states in refusals as a sentence does', () => {
    assert.equal(statesText(['Failed']), 'Failed');
    assert.equal(statesText(OPERATIONS.purge.allowedFrom), 'Completed, Failed or Terminated');
    assert.deepEqual([...OPERATIONS.terminate.allowedFrom].sort(), ['ContinuedAsNew', 'Pending', 'Running', 'Suspended']);
  });

  test('every row has a route under each management base, served by the operation', async () => {
    for (const base of MANAGEMENT_BASES) {
      for (const name of NAMES) {
        const answer = await server.request(OPERATIONS[name].route.method, urlOf(base, name, 'no-such-instance'));
        assert.equal(answer.status, 404, `${name} under ${base}: ${answer.text}`);
        assert.equal(assertErrorBody(answer), "no instance with id 'no-such-instance' in this task hub", `${name} under ${base}`);
      }
    }
  });

  test('every management URL the client hands out is one of these routes', async () => {
    const payload = server.client.createHttpManagementPayload('no-such-instance', server.url);
    const operationUris = Object.entries(payload).filter(([key]) => key.endsWith('PostUri') || key.endsWith('DeleteUri'));
    assert.equal(operationUris.length, 7);
    for (const [key, uri] of operationUris) {
      const url = new URL(uri.replace('{eventName}', 'Approval').replace('{text}', 'why'));
      const method = key.endsWith('PostUri') ? 'POST' : 'DELETE';
      const rest = url.pathname.replace(`${MANAGEMENT_BASES[0]}/instances/no-such-instance`, '').replace(/^\//, '');
      const row = OPERATION_LIST.find(
        (operation) => operation.route.method === method && new RegExp(`^${operation.route.path.replace(/:\w+/g, '[^/]+')}$`).test(rest),
      );
      assert.ok(row, `${key} (${method} ${url.pathname}) is the route of a row`);
      const answer = await server.request(method, `${url.pathname}${url.search}`);
      assert.equal(answer.status, 404, `${key}: ${answer.text}`);
      assert.equal(assertErrorBody(answer), "no instance with id 'no-such-instance' in this task hub", key);
    }
  });

  test('every row has a taskhub command with the row\'s description', async () => {
    for (const operation of OPERATION_LIST) {
      const help = await runInProcess([operation.command.name, '--help'], { env: {}, cwd: server.directory });
      assert.equal(help.code, 0, `${operation.command.name}: ${help.stderr}`);
      // Commander wraps the help at the terminal's width.
      const shown = help.stdout.replace(/\s+/g, ' ');
      assert.ok(shown.includes(`Usage: taskhub ${operation.command.name} [options] ${operation.command.description}`), `${operation.command.name} --help: ${help.stdout}`);
    }
  });

  test('every row refuses one of the test instances, so the tests below check every row', () => {
    for (const name of NAMES) assert.ok(refusedStates(OPERATIONS[name]).length > 0, name);
  });

  test('the HTTP API refuses with the row\'s text: 410 when the operation is for unfinished instances, 409 otherwise', async () => {
    for (const name of NAMES) {
      for (const status of refusedStates(OPERATIONS[name])) {
        const instanceId = instances[status]!;
        const expected = refusal(OPERATIONS[name], instanceId, status);
        const answer = await server.request(OPERATIONS[name].route.method, urlOf(MANAGEMENT_BASES[0]!, name, instanceId));
        assert.equal(answer.status, expected instanceof InstanceFinishedError ? 410 : 409, `${name} on ${status}: ${answer.text}`);
        assert.equal(assertErrorBody(answer), expected.message, `${name} on ${status}`);
      }
    }
  });

  test('the CLI refuses with the row\'s text and exit code 1', async () => {
    const env = { TASKHUB_STORAGE: server.connectionString, TASKHUB_HUB: HUB };
    for (const name of NAMES) {
      for (const status of refusedStates(OPERATIONS[name])) {
        const instanceId = instances[status]!;
        const result = await runInProcess([OPERATIONS[name].command.name, '--id', instanceId, ...(COMMAND_FLAGS[name] ?? [])], { env, cwd: server.directory });
        assert.equal(result.code, 1, `${name} on ${status}: ${result.stderr}`);
        assert.equal(result.stderr, `error: ${refusal(OPERATIONS[name], instanceId, status).message}\n`, `${name} on ${status}`);
      }
    }
  });

  test('the refusals leave both instances as they were', async () => {
    assert.equal((await server.client.getStatus(instances.Pending!))?.runtimeStatus, 'Pending');
    assert.equal((await server.client.getStatus(instances.Completed!))?.runtimeStatus, 'Completed');
  });
});
