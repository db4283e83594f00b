/**
 * T21: generated malformed requests on every route (fast-check). Each generated request is wrong by
 * construction — unknown orchestrator, forbidden id, bad JSON, wrong content type, bad query value or
 * Host header, duplicate parameter, wrong method, unknown path, wrong state, oversized body or headers —
 * and must be answered 4xx with a JSON `{ error }` and no stack trace, leaving the store exactly as it was.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { registry } from '../../examples/demo-app.js';
import { BASE, assertErrorBody, finishedInstance, startTestServer, waitForStatus, waitingApproval, type TestServer } from './http-harness.js';

const LIMIT = 2000;
const RUNS = 200;

interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  raw?: string;
}

let server: TestServer;
/** Instances in every state that stays put while the fuzzer runs. */
const fixtures = { completed: 'fz-completed', failed: 'fz-failed', terminated: 'fz-terminated', waiting: 'fz-waiting', suspended: 'fz-suspended' };

before(async () => {
  server = await startTestServer({ maxPayloadBytes: LIMIT });
  await finishedInstance(server.client, 'HelloWorld', 'fuzz', fixtures.completed);
  await finishedInstance(server.client, 'AlwaysFails', undefined, fixtures.failed);
  await waitingApproval(server.client, fixtures.terminated);
  await server.client.terminate(fixtures.terminated, 'fixture');
  await waitForStatus(server.client, fixtures.terminated, (status) => status === 'Terminated');
  await waitingApproval(server.client, fixtures.waiting);
  await waitingApproval(server.client, fixtures.suspended);
  await server.client.suspend(fixtures.suspended);
  await waitForStatus(server.client, fixtures.suspended, (status) => status === 'Suspended');
});
after(async () => {
  await server.close();
});

/** Everything a request could change: every instance row (with input) and every history. */
async function snapshot(): Promise<string> {
  const instances = [];
  for await (const status of server.client.listAllInstances({ showInput: true })) instances.push(status);
  instances.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const histories = await Promise.all(instances.map((status) => server.client.getHistory(status.instanceId)));
  return JSON.stringify({ instances, histories });
}

const enc = encodeURIComponent;
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const registered = new Set(registry.orchestratorNames());
const orchestrator = fc.constantFrom(...registry.orchestratorNames());
const fixtureId = fc.constantFrom(...Object.values(fixtures));
const jsonBody = fc.option(fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'), { nil: undefined });
const jsonHeaders = { 'content-type': 'application/json' };

/** Start routes, each taking a name and an optional id. */
const startPath = (name: string, id?: string) =>
  fc.constantFrom(
    `${BASE}/orchestrators/${enc(name)}${id === undefined ? '' : `/${enc(id)}`}`,
    `/orchestrators/${enc(name)}${id === undefined ? '' : `/${enc(id)}`}`,
    `/orchestrators/${enc(name)}/wait?timeout=0.1&retryInterval=0.1`,
  );

const forbiddenId = fc.oneof(
  fc.tuple(anyText, fc.constantFrom('/', '\\', '#', '?', '\u0000', '\u001F', '\u007F', '\u009F'), anyText).map(([a, c, b]) => `${a}${c}${b}`),
  anyText.map((text) => `@${text}`),
  fc.string({ minLength: 257, maxLength: 300 }),
);

const unknownOrchestrator: fc.Arbitrary<FuzzRequest> = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((name) => !registered.has(name)), jsonBody)
  .chain(([name, raw]) => startPath(name).map((path) => ({ method: 'POST', path, raw, headers: raw === undefined ? {} : jsonHeaders })));

const badInstanceId: fc.Arbitrary<FuzzRequest> = fc.tuple(orchestrator, forbiddenId, fc.boolean()).map(([name, id, management]) => ({
  method: 'POST',
  path: management ? `${BASE}/orchestrators/${name}/${enc(id)}` : `/orchestrators/${name}/${enc(id)}`,
}));

const malformedJson: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    orchestrator,
    fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((text) => {
      if (text.trim() === '') return false;
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    }),
    fixtureId,
  )
  .chain(([name, raw, id]) =>
    fc.constantFrom(`${BASE}/orchestrators/${name}`, `/orchestrators/${name}`, `${BASE}/instances/${id}/raiseEvent/Approval`).map((path) => ({
      method: 'POST',
      path,
      raw,
      headers: jsonHeaders,
    })),
  );

const wrongContentType: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    orchestrator,
    fc.oneof(
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=z', 'application/octet-stream'),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,12}$/).filter((type) => !type.startsWith('application/json')),
    ),
    fc.string({ minLength: 1, maxLength: 40 }),
  )
  .map(([name, type, raw]) => ({ method: 'POST', path: `${BASE}/orchestrators/${name}`, raw, headers: { 'content-type': type } }));

/** A query value that is not what the parameter takes. */
const notBoolean = anyText.filter((text) => text !== 'true' && text !== 'false');
const notSeconds = fc.oneof(
  fc.constantFrom('-1', 'NaN', 'Infinity', '-Infinity', '1e400', '601', 'abc', ''),
  fc.double({ noNaN: true }).filter((n) => n < 0 || n > 600).map(String),
);
const notTop = fc.oneof(
  fc.constantFrom('0', '1001', '2.5', 'Infinity', 'x', '', '-3', '1e9'),
  fc.integer().filter((n) => n < 1 || n > 1000).map(String),
);
const pad = (n: number) => String(n).padStart(2, '0');
/** Shaped like an ISO date but not on the calendar: Date alone would roll these over to another day. */
const impossibleDate = fc.tuple(fc.integer({ min: 1970, max: 2400 }), fc.integer({ min: 1, max: 12 })).chain(([year, month]) => {
  const yearMonth = `${year}-${pad(month)}`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return fc.oneof(
    fc.integer({ min: daysInMonth + 1, max: 99 }).map((day) => `${yearMonth}-${pad(day)}`),
    fc.constantFrom(`${yearMonth}-00`, `${year}-00-01`, `${year}-13-01`),
    fc.integer({ min: 24, max: 99 }).map((hour) => `${yearMonth}-01T${pad(hour)}:00:00Z`),
    fc.integer({ min: 60, max: 99 }).map((minute) => `${yearMonth}-01T12:${pad(minute)}:00Z`),
    fc.integer({ min: 60, max: 99 }).map((second) => `${yearMonth}-01T12:00:${pad(second)}`),
  );
});
const notDate = fc.oneof(
  anyText.filter((text) => !/^\d{4}-\d{2}-\d{2}/.test(text.trim())),
  impossibleDate,
);
const notStatus = fc.string({ minLength: 1, maxLength: 20 }).filter((text) => /[^\s,]/.test(text) && !text.split(',').every((part) => part.trim() === '' || ['pending', 'running', 'completed', 'continuedasnew', 'failed', 'terminated', 'suspended'].includes(part.trim().toLowerCase())));
const notHub = anyText.filter((text) => text !== '' && !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(text));

const badQuery: fc.Arbitrary<FuzzRequest> = fixtureId.chain((id) =>
  fc.oneof(
    notBoolean.chain((value) =>
      fc.constantFrom(
        ['GET', `${BASE}/instances/${id}?showHistory=${enc(value)}`],
        ['GET', `${BASE}/instances/${id}?showInput=${enc(value)}`],
        ['GET', `${BASE}/instances/${id}?returnInternalServerErrorOnFailure=${enc(value)}`],
        ['GET', `${BASE}/instances?showInput=${enc(value)}`],
        ['POST', `${BASE}/instances/${id}/terminate?recursive=${enc(value)}`],
        ['POST', `${BASE}/instances/${id}/restart?restartWithNewInstanceId=${enc(value)}`],
      ),
    ),
    fc.tuple(orchestrator, notSeconds).chain(([name, value]) =>
      fc.constantFrom(
        ['POST', `${BASE}/orchestrators/${name}?timeout=${enc(value)}`],
        ['POST', `${BASE}/orchestrators/${name}?timeout=1&pollingInterval=${enc(value === '' ? '0' : value)}`],
        ['POST', `/orchestrators/${name}/wait?timeout=${enc(value)}`],
        ['POST', `/orchestrators/${name}/wait?timeout=1&retryInterval=${enc(value === '' ? '-1' : value)}`],
      ),
    ),
    notTop.map((value) => ['GET', `${BASE}/instances?top=${enc(value)}`]),
    notDate.chain((value) =>
      fc.constantFrom(
        ['GET', `${BASE}/instances?createdTimeFrom=${enc(value)}`],
        ['GET', `${BASE}/instances?lastUpdatedTimeTo=${enc(value)}`],
        ['DELETE', `${BASE}/instances?createdTimeFrom=${enc(value)}`],
        ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&createdTimeTo=${enc(value)}`],
      ),
    ),
    notStatus.chain((value) =>
      fc.constantFrom(['GET', `${BASE}/instances?runtimeStatus=${enc(value)}`], ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&runtimeStatus=${enc(value)}`]),
    ),
    notHub.chain((value) =>
      fc.constantFrom(
        ['GET', `${BASE}/instances/${id}?taskHub=${enc(value)}`],
        ['POST', `${BASE}/instances/${id}/terminate?taskHub=${enc(value)}`],
        ['DELETE', `${BASE}/instances/${id}?taskHub=${enc(value)}`],
      ),
    ),
    fc.constantFrom(
      ['GET', `${BASE}/instances/${id}?taskHub=A&taskHub=B`],
      ['POST', `${BASE}/instances/${id}/suspend?reason=a&reason=b`],
      ['DELETE', `${BASE}/instances?createdTimeFrom=2000-01-01&createdTimeFrom=2001-01-01`],
      ['DELETE', `${BASE}/instances`],
      ['GET', `${BASE}/instances?connection=NO_SUCH_SETTING_${id.replace('-', '_')}`],
    ),
  ).map(([method, path]) => ({ method: method, path: path })),
);

/** A Host header that management URLs cannot be built on, on every route that answers with them. */
const hostPart = fc.stringMatching(/^[a-z0-9.-]{1,12}$/);
const notHost = fc.oneof(
  fc.constantFrom('a b', 'example.test/x', 'user@example.test', 'example.test:99999', 'a%20b', '[::1', ':80', 'a:b:c'),
  fc
    .tuple(hostPart, fc.constantFrom(' ', '\t', '/', '\\', '?', '#', '@', '[', ']'), hostPart)
    .map(([before, character, after]) => `${before}${character}${after}`),
);
const badHost: fc.Arbitrary<FuzzRequest> = fc.tuple(notHost, orchestrator).chain(([host, name]) =>
  fc
    .oneof(
      startPath(name),
      fc.constantFrom(
        `${BASE}/orchestrators/${name}?timeout=1`,
        `${BASE}/instances/${fixtures.completed}/restart`,
        `${BASE}/instances/${fixtures.failed}/restart?restartWithNewInstanceId=false`,
      ),
    )
    .map((path) => ({ method: 'POST', path, headers: { host } })),
);

/** Operations that the instance's state forbids, and operations on instances that do not exist. */
const wrongState: fc.Arbitrary<FuzzRequest> = fc.tuple(anyText, fc.stringMatching(/^[a-z0-9-]{1,30}$/)).chain(([reason, missing]) =>
  fc
    .constantFrom(
      ['POST', `${BASE}/instances/${fixtures.completed}/terminate?reason=${enc(reason)}`],
      ['POST', `${BASE}/instances/${fixtures.failed}/suspend`],
      ['POST', `${BASE}/instances/${fixtures.completed}/rewind`],
      ['POST', `${BASE}/instances/${fixtures.waiting}/rewind`],
      ['POST', `${BASE}/instances/${fixtures.terminated}/raiseEvent/Approval`],
      ['DELETE', `${BASE}/instances/${fixtures.waiting}`],
      ['DELETE', `${BASE}/instances/${fixtures.suspended}`],
      ['POST', `${BASE}/instances/${fixtures.waiting}/restart?restartWithNewInstanceId=false`],
      ['POST', `${BASE}/orchestrators/Approval/${fixtures.waiting}`],
      ['POST', `/orchestrators/HelloWorld/${fixtures.suspended}`],
      ['GET', `${BASE}/instances/missing-${missing}`],
      ['POST', `${BASE}/instances/missing-${missing}/terminate`],
      ['POST', `${BASE}/instances/missing-${missing}/raiseEvent/${enc(reason || 'e')}`],
      ['POST', `${BASE}/instances/missing-${missing}/restart`],
      ['DELETE', `${BASE}/instances/missing-${missing}`],
      ['DELETE', `${BASE}/instances?createdTimeFrom=2999-01-01`],
    )
    .map(([method, path]) => ({ method: method, path: path })),
);

const wrongMethod: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'TRACE'),
    fc.constantFrom(
      `${BASE}/orchestrators/HelloWorld`,
      `${BASE}/instances/${fixtures.waiting}`,
      `${BASE}/instances`,
      `${BASE}/instances/${fixtures.waiting}/terminate`,
      '/orchestrators/HelloWorld/wait',
    ),
  )
  .chain(([method, path]) => fc.constantFrom({ method, path }, { method: method === 'TRACE' ? 'GET' : 'DELETE', path: `${BASE}/orchestrators/HelloWorld` }));

const unknownPath: fc.Arbitrary<FuzzRequest> = fc
  .tuple(fc.constantFrom('GET', 'POST', 'DELETE'), fc.array(anyText, { minLength: 1, maxLength: 4 }))
  .map(([method, segments]) => ({ method, path: `/${['zz', ...segments].map(enc).join('/')}` }));

const malformedUrl: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom('%', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', 'a%2')
  .chain((bad) => fc.constantFrom(`${BASE}/instances/${bad}`, `/orchestrators/HelloWorld/${bad}`, `${BASE}/instances/x/raiseEvent/${bad}`))
  .map((path) => ({ method: 'GET', path }));

const oversized: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.tuple(orchestrator, fc.integer({ min: LIMIT - 1, max: 3 * LIMIT })).map(([name, length]) => ({
    method: 'POST',
    path: `${BASE}/orchestrators/${name}`,
    raw: JSON.stringify('€'.repeat(length)),
    headers: jsonHeaders,
  })),
  fc.integer({ min: 17 * 1024, max: 64 * 1024 }).map((length) => ({ method: 'GET', path: `${BASE}/instances`, headers: { 'x-padding': 'p'.repeat(length) } })),
);

const malformedRequest = fc.oneof(
  unknownOrchestrator,
  badInstanceId,
  malformedJson,
  wrongContentType,
  badQuery,
  badHost,
  wrongState,
  wrongMethod,
  unknownPath,
  malformedUrl,
  oversized,
);

test(`${RUNS} generated malformed requests: always 4xx with a JSON error, never 5xx, never a state change`, async () => {
  const initial = await snapshot();
  await fc.assert(
    fc.asyncProperty(malformedRequest, async (request) => {
      const answer = await server.request(request.method, request.path, { headers: request.headers, raw: request.raw });
      assert.ok(answer.status >= 400 && answer.status < 500, `${request.method} ${request.path.slice(0, 200)} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      assertErrorBody(answer);
      assert.equal(await snapshot(), initial, `${request.method} ${request.path.slice(0, 200)} changed the store`);
    }),
    { numRuns: RUNS },
  );
  // Anything queued by mistake would show once the worker ran it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await snapshot(), initial);
});
