/**
 * Changing instances: raise an event, terminate, suspend, resume, rewind and restart. Each queues its
 * message and answers 202 at once (the worker does the work); restart answers with the check-status
 * response of the instance it started.
 */
import type { FastifyInstance } from 'fastify';
import type { TaskHubClient } from '../client/client.js';
import type { RouteContext } from './route-context.js';
import { managementOrigin, sendResponse } from './responses.js';
import {
  raiseEventSchema,
  reasonSchema,
  restartSchema,
  terminateSchema,
  type HubQuery,
  type InstanceParams,
  type RaiseEventParams,
  type ReasonQuery,
  type RestartQuery,
  type TerminateQuery,
} from './schemas.js';

export function registerOperationRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  const instance = `${base}/instances/:instanceId`;

  app.post<{ Params: RaiseEventParams; Querystring: HubQuery }>(`${instance}/raiseEvent/:eventName`, { schema: raiseEventSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    await client.raiseEvent(request.params.instanceId, request.params.eventName, request.body);
    return reply.code(202).send();
  });

  app.post<{ Params: InstanceParams; Querystring: TerminateQuery }>(`${instance}/terminate`, { schema: terminateSchema }, async (request, reply) => {
    const client = await context.resolver.resolve(request.query);
    await client.terminate(request.params.instanceId, request.query.reason, { recursive: request.query.recursive });
    return reply.code(202).send();
  });

  const reasonOperations: Record<string, (client: TaskHubClient, instanceId: string, reason: string | undefined) => Promise<void>> = {
    suspend: (client, instanceId, reason) => client.suspend(instanceId, reason),
    resume: (client, instanceId, reason) => client.resume(instanceId, reason),
    rewind: (client, instanceId, reason) => client.rewind(instanceId, reason),
  };
  for (const [operation, apply] of Object.entries(reasonOperations)) {
    app.post<{ Params: InstanceParams; Querystring: ReasonQuery }>(`${instance}/${operation}`, { schema: reasonSchema }, async (request, reply) => {
      const client = await context.resolver.resolve(request.query);
      await apply(client, request.params.instanceId, request.query.reason);
      return reply.code(202).send();
    });
  }

  app.post<{ Params: InstanceParams; Querystring: RestartQuery }>(`${instance}/restart`, { schema: restartSchema }, async (request, reply) => {
    const origin = managementOrigin(request);
    const client = await context.resolver.resolve(request.query);
    const instanceId = await client.restart(request.params.instanceId, { restartWithNewInstanceId: request.query.restartWithNewInstanceId });
    return sendResponse(reply, client.createCheckStatusResponse(origin, instanceId));
  });
}
