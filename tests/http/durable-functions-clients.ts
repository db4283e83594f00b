/**
 * Microsoft's own orchestration clients, durable-functions 1.5.4 and 3.5.0, built the way a Functions host
 * builds them: from the `durableClient` binding payload (BindingHelper.DurableOrchestrationClientToString in
 * the Durable Functions extension), passed as a 1.x `context.bindings` entry or a 3.x `extraInputs` value.
 * Both clients take different arguments; DurableClientUnderTest gives the tests one shape over both, with
 * nothing changed in what each client sends or how it reads the answer.
 */
import azureFunctions from '@azure/functions';
import df1 from 'durable-functions-v1';
import df3 from 'durable-functions-v3';
import type { RuntimeStatus } from '../../src/index.js';

// CommonJS packages: their exports are read from the default import.
const { HttpRequest, InvocationContext } = azureFunctions;

/** What the Functions host hands a client function as its `durableClient` binding. */
export interface BindingPayload {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl?: string;
}

export interface BindingOptions {
  hub: string;
  /** The API key, as the host's webhook URL carries its system key (`code=`). */
  code?: string;
  /** With `rpcBaseUrl`, the clients build their URLs under `<origin>/durabletask/`. */
  rpc: boolean;
}

const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

/**
 * The payload as the extension writes it: creation and management URL templates on the webhook path, with
 * `taskHub`, `connection` (Durable Functions' default setting name, `Storage`) and the key; the key alone as
 * requiredQueryStringParameters; and, since extension 2.x, the local RPC endpoint.
 */
export function bindingPayload(origin: string, options: BindingOptions): BindingPayload {
  const baseUrl = `${origin}/runtime/webhooks/durabletask`;
  const universal = options.code === undefined ? '' : `code=${options.code}`;
  const query = `taskHub=${options.hub}&connection=Storage${universal ? `&${universal}` : ''}`;
  const instance = `${baseUrl}/instances/${INSTANCE_ID_PLACEHOLDER}`;
  const starter = `${baseUrl}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: options.hub,
    creationUrls: {
      createNewInstancePostUri: `${starter}?${universal}`,
      createAndWaitOnNewInstancePostUri: `${starter}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${universal}`,
    },
    managementUrls: {
      id: INSTANCE_ID_PLACEHOLDER,
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl,
    requiredQueryStringParameters: universal,
    ...(options.rpc ? { rpcBaseUrl: `${origin}/durabletask/` } : {}),
  };
}

export interface StatusFlags {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

export interface TimeFilter {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatus[];
}

/** An HTTP response a client built for its function to return, read back into plain values. */
export interface BuiltResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The status JSON as the clients return it (3.x's getStatus: a DurableOrchestrationStatus, with Dates). */
export type ClientStatus = Record<string, unknown>;

export interface DurableClientUnderTest {
  version: 1 | 3;
  startNew(name: string, instanceId?: string, input?: unknown): Promise<string>;
  /** The status, or 1.x's answer to a 404: the response body itself. */
  getStatus(instanceId: string, flags?: StatusFlags): Promise<ClientStatus | string>;
  getStatusAll(): Promise<ClientStatus[]>;
  getStatusBy(filter: TimeFilter): Promise<ClientStatus[]>;
  raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void>;
  terminate(instanceId: string, reason: string): Promise<void>;
  /** 3.x only: 1.x has no suspend or resume. */
  suspend?(instanceId: string, reason: string): Promise<void>;
  resume?(instanceId: string, reason: string): Promise<void>;
  rewind(instanceId: string, reason: string): Promise<void>;
  purgeInstanceHistory(instanceId: string): Promise<{ instancesDeleted: number }>;
  purgeInstanceHistoryBy(filter: TimeFilter & { createdTimeFrom: Date }): Promise<{ instancesDeleted: number }>;
  waitForCompletionOrCreateCheckStatusResponse(requestUrl: string, instanceId: string, timeoutMs: number, retryIntervalMs: number): Promise<BuiltResponse>;
  createCheckStatusResponse(requestUrl: string, instanceId: string): Promise<BuiltResponse>;
  createHttpManagementPayload(instanceId: string): Record<string, string>;
  signalEntity(name: string, key: string, operation: string, content: unknown): Promise<void>;
  readEntityState(name: string, key: string): Promise<unknown>;
}

/**
 * A client of the given major version from the payload. Both clients rewrite every template URL to
 * localhost:7071 unless WEBSITE_HOSTNAME is set, as in a Functions host; the caller sets it.
 */
export function durableClient(version: 1 | 3, payload: BindingPayload): DurableClientUnderTest {
  return version === 1 ? client1(payload) : client3(payload);
}

function client1(payload: BindingPayload): DurableClientUnderTest {
  const client = df1.getClient({ bindings: { starter: payload } });
  const status = (value: unknown) => value as ClientStatus | string;
  const statuses = (value: unknown) => value as ClientStatus[];
  const request = (url: string) => ({ method: 'GET', url, headers: {}, query: {}, params: {} }) as unknown as Parameters<typeof client.createCheckStatusResponse>[0];
  return {
    version: 1,
    startNew: (name, instanceId, input) => client.startNew(name, instanceId, input),
    getStatus: async (instanceId, flags = {}) => status(await client.getStatus(instanceId, flags.showHistory, flags.showHistoryOutput, flags.showInput)),
    getStatusAll: async () => statuses(await client.getStatusAll()),
    getStatusBy: async (filter) => statuses(await client.getStatusBy(filter.createdTimeFrom, filter.createdTimeTo, (filter.runtimeStatus ?? []) as never[])),
    raiseEvent: (instanceId, eventName, eventData) => client.raiseEvent(instanceId, eventName, eventData),
    terminate: (instanceId, reason) => client.terminate(instanceId, reason),
    rewind: (instanceId, reason) => client.rewind(instanceId, reason),
    purgeInstanceHistory: (instanceId) => client.purgeInstanceHistory(instanceId),
    purgeInstanceHistoryBy: (filter) => client.purgeInstanceHistoryBy(filter.createdTimeFrom, filter.createdTimeTo, filter.runtimeStatus as never[] | undefined),
    waitForCompletionOrCreateCheckStatusResponse: async (requestUrl, instanceId, timeoutMs, retryIntervalMs) =>
      readResponse1(await client.waitForCompletionOrCreateCheckStatusResponse(request(requestUrl) as never, instanceId, timeoutMs, retryIntervalMs)),
    createCheckStatusResponse: async (requestUrl, instanceId) => readResponse1(client.createCheckStatusResponse(request(requestUrl), instanceId)),
    createHttpManagementPayload: (instanceId) => ({ ...client.createHttpManagementPayload(instanceId) }),
    signalEntity: (name, key, operation, content) => client.signalEntity(new df1.EntityId(name, key), operation, content),
    readEntityState: (name, key) => client.readEntityState(new df1.EntityId(name, key)),
  };
}

/** 1.x responses hold a JSON string (its createHttpResponse) or the payload object as `body`. */
function readResponse1(response: { status: number; headers?: object; body?: unknown }): BuiltResponse {
  const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const body = typeof response.body === 'string' ? (JSON.parse(response.body) as unknown) : response.body;
  return { status: response.status, headers, body };
}

function client3(payload: BindingPayload): DurableClientUnderTest {
  const input = df3.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [input] } });
  context.extraInputs.set(input, payload);
  const client = df3.getClient(context);
  const entity = (name: string, key: string) => new df3.EntityId(name, key);
  return {
    version: 3,
    startNew: (name, instanceId, input) => client.startNew(name, { instanceId, input }),
    getStatus: async (instanceId, flags = {}) => ({ ...(await client.getStatus(instanceId, flags)) }),
    getStatusAll: async () => (await client.getStatusAll()) as unknown as ClientStatus[],
    getStatusBy: async (filter) => (await client.getStatusBy(filter as never)) as unknown as ClientStatus[],
    raiseEvent: (instanceId, eventName, eventData) => client.raiseEvent(instanceId, eventName, eventData),
    terminate: (instanceId, reason) => client.terminate(instanceId, reason),
    suspend: (instanceId, reason) => client.suspend(instanceId, reason),
    resume: (instanceId, reason) => client.resume(instanceId, reason),
    rewind: (instanceId, reason) => client.rewind(instanceId, reason),
    purgeInstanceHistory: (instanceId) => client.purgeInstanceHistory(instanceId),
    purgeInstanceHistoryBy: (filter) => client.purgeInstanceHistoryBy(filter as never),
    waitForCompletionOrCreateCheckStatusResponse: async (requestUrl, instanceId, timeoutMs, retryIntervalMs) =>
      readResponse3(
        await client.waitForCompletionOrCreateCheckStatusResponse(new HttpRequest({ method: 'GET', url: requestUrl }), instanceId, {
          timeoutInMilliseconds: timeoutMs,
          retryIntervalInMilliseconds: retryIntervalMs,
        }),
      ),
    createCheckStatusResponse: async (requestUrl, instanceId) => readResponse3(client.createCheckStatusResponse(new HttpRequest({ method: 'GET', url: requestUrl }), instanceId)),
    createHttpManagementPayload: (instanceId) => ({ ...client.createHttpManagementPayload(instanceId) }),
    signalEntity: (name, key, operation, content) => client.signalEntity(entity(name, key), operation, content),
    readEntityState: (name, key) => client.readEntityState(entity(name, key)),
  };
}

/** 3.x answers with @azure/functions' HttpResponse (a fetch Response). */
async function readResponse3(response: { status: number; headers: Headers; json(): Promise<unknown> }): Promise<BuiltResponse> {
  return { status: response.status, headers: Object.fromEntries(response.headers.entries()), body: await response.json() };
}
