/**
 * Starting instances: the management route (`POST /runtime/webhooks/durabletask/orchestrators/{name}[/{id}]`,
 * and the same under `/durabletask`) and the sample app's starters from the seed (`POST /orchestrators/{name}[/{id}]` and
 * `POST /orchestrators/{name}/wait`). The body is the JSON input. Each answers the 202 check-status
 * response, or with a wait, the output once the instance finishes in time (S-WAIT-1).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WaitOptions } from '../client/client.js';
import { InvalidArgumentError } from '../errors.js';
import type { RouteContext } from './route-context.js';
import { SAMPLE_STARTER_PATH } from './paths.js';
import { managementOrigin } from './addressed-origin.js';
import { sendResponse } from './responses.js';
import {
  sampleStartSchema,
  sampleWaitSchema,
  startSchema,
  type HubQuery,
  type SampleWaitQuery,
  type StartParams,
  type StartQuery,
  type TagQuery,
} from './schemas.js';
import { optionalTags } from './query-values.js';

/** The sample's default wait, as the client helper's (S-WAIT-1). */
const SAMPLE_DEFAULT_TIMEOUT_SECONDS = 10;

interface ManagementStart {
  Params: StartParams;
  Querystring: StartQuery;
}
interface SampleStart {
  Params: StartParams;
  Querystring: HubQuery & TagQuery;
}
interface SampleWait {
  Params: { functionName: string };
  Querystring: SampleWaitQuery;
}

/** The management start route under each of `bases` (management-bases.ts), and the samples' starters unless turned off. */
export function registerStartRoutes(app: FastifyInstance, context: RouteContext, bases: readonly string[], options: { sampleStarters: boolean }): void {
  const managementStart = async (request: FastifyRequest<ManagementStart>, reply: FastifyReply) =>
    start(request, reply, request.params, toWaitOptions(request.query.timeout, request.query.pollingInterval, 'pollingInterval'));
  for (const base of bases) {
    app.post<ManagementStart>(`${base}/orchestrators/:functionName`, { schema: startSchema }, managementStart);
    app.post<ManagementStart>(`${base}/orchestrators/:functionName/:instanceId`, { schema: startSchema }, managementStart);
  }

  if (!options.sampleStarters) return;
  const sampleStart = async (request: FastifyRequest<SampleStart>, reply: FastifyReply) => start(request, reply, request.params, undefined);
  app.post<SampleStart>(`${SAMPLE_STARTER_PATH}/:functionName`, { schema: sampleStartSchema }, sampleStart);
  app.post<SampleStart>(`${SAMPLE_STARTER_PATH}/:functionName/:instanceId`, { schema: sampleStartSchema }, sampleStart);
  // A static segment outranks a parameter in fastify's router, so `wait` is never taken as an instance id.
  app.post<SampleWait>(`${SAMPLE_STARTER_PATH}/:functionName/wait`, { schema: sampleWaitSchema }, async (request, reply) => {
    const wait = toWaitOptions(request.query.timeout ?? SAMPLE_DEFAULT_TIMEOUT_SECONDS, request.query.retryInterval, 'retryInterval');
    return start(request, reply, request.params, wait);
  });

  async function start(request: FastifyRequest<{ Querystring: HubQuery & TagQuery }>, reply: FastifyReply, params: StartParams, wait: WaitOptions | undefined) {
    const origin = managementOrigin(request);
    const tags = optionalTags(request.query.tag);
    const client = await context.resolver.resolve(request.query);
    const instanceId = await client.startNew(params.functionName, { instanceId: params.instanceId, input: request.body, tags });
    const response = wait
      ? await client.waitForCompletionOrCreateCheckStatusResponse(origin, instanceId, { ...wait, signal: context.shutdown })
      : client.createCheckStatusResponse(origin, instanceId);
    return sendResponse(reply, response);
  }
}

/**
 * Seconds from the query into the client's wait options, checked before anything is started so a bad
 * combination changes nothing. No timeout, or 0, means answer at once. The default interval is under the
 * schema's floor only when the timeout is, and then the wait reads the status twice: at once and at the end.
 */
function toWaitOptions(timeoutSeconds: number | undefined, intervalSeconds: number | undefined, intervalName: string): WaitOptions | undefined {
  if (!timeoutSeconds) return undefined;
  const interval = intervalSeconds ?? Math.min(1, timeoutSeconds);
  if (interval > timeoutSeconds) {
    throw new InvalidArgumentError(`${intervalName} (${interval} s) must not be longer than timeout (${timeoutSeconds} s)`);
  }
  return { timeoutInMilliseconds: timeoutSeconds * 1000, retryIntervalInMilliseconds: interval * 1000 };
}
