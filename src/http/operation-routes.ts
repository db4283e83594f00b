/**
 * Changing instances: raise an event, terminate, suspend, resume, rewind and restart, at the routes of the
 * operations table (src/client/operations.ts). Each queues its message and answers 202 at once (the worker
 * does the work); restart answers with the check-status response of the instance it started.
 */
import type { FastifyInstance } from 'fastify';
import { OPERATIONS, OPERATION_LIST, type ManagementOperation } from '../client/operations.js';
import type { RouteContext } from './route-context.js';
import { managementOrigin } from './addressed-origin.js';
import { sendResponse } from './responses.js';
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

/** The fastify URL of an operation's route under one management base. */
export function operationUrl(base: string, operation: ManagementOperation): string {
  const instance = `${base}/instances/:instanceId`;
  return operation.route.path === '' ? instance : `${instance}/${operation.route.path}`;
}

export function registerOperationRoutes(app: FastifyInstance, context: RouteContext, base: string): void {
  app.route<{ Params: RaiseEventParams; Querystring: HubQuery }>({
    method: OPERATIONS.raiseEvent.route.method,
    url: operationUrl(base, OPERATIONS.raiseEvent),
    schema: raiseEventSchema,
    handler: async (request, reply) => {
      const client = await context.resolver.resolve(request.query);
      await client.raiseEvent(request.params.instanceId, request.params.eventName, request.body);
      return reply.code(202).send();
    },
  });

  app.route<{ Params: InstanceParams; Querystring: TerminateQuery }>({
    method: OPERATIONS.terminate.route.method,
    url: operationUrl(base, OPERATIONS.terminate),
    schema: terminateSchema,
    handler: async (request, reply) => {
      const client = await context.resolver.resolve(request.query);
      await client.terminate(request.params.instanceId, request.query.reason, { recursive: request.query.recursive });
      return reply.code(202).send();
    },
  });

  for (const operation of OPERATION_LIST) {
    const queued = operation.queued;
    if (!queued) continue;
    app.route<{ Params: InstanceParams; Querystring: ReasonQuery }>({
      method: operation.route.method,
      url: operationUrl(base, operation),
      schema: reasonSchema,
      handler: async (request, reply) => {
        const client = await context.resolver.resolve(request.query);
        await queued.send(client, request.params.instanceId, request.query.reason);
        return reply.code(202).send();
      },
    });
  }

  app.route<{ Params: InstanceParams; Querystring: RestartQuery }>({
    method: OPERATIONS.restart.route.method,
    url: operationUrl(base, OPERATIONS.restart),
    schema: restartSchema,
    handler: async (request, reply) => {
      const origin = managementOrigin(request);
      const client = await context.resolver.resolve(request.query);
      const instanceId = await client.restart(request.params.instanceId, { restartWithNewInstanceId: request.query.restartWithNewInstanceId });
      return sendResponse(reply, client.createCheckStatusResponse(origin, instanceId));
    },
  });
}
