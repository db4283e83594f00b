/**
 * taskhub inside a fastify app: the management API is registered as a plugin, and a route of the app's own
 * starts an orchestration and answers with the check-status response, as the seed's HTTP starters do.
 *
 * Run (from the taskhub checkout): npm run build && node dist/examples/fastify-app.js
 * then: curl -i -X POST http://127.0.0.1:3000/api/greetings -H 'Content-Type: application/json' -d '{"city":"Lisbon"}'
 * PORT chooses the port (0: any free one); TASKHUB_STORAGE the store, as everywhere.
 */
import Fastify from 'fastify';
import { createTaskHub } from 'taskhub';
import { taskhubPlugin, taskhubServerOptions } from 'taskhub/http';
import { registry } from './demo-app.js';

const taskHub = await createTaskHub({ registry }); // a worker runs in this process
// taskhubServerOptions: instance ids up to 256 characters in paths, JSON answers to malformed URLs.
const app = Fastify({ ...taskhubServerOptions });
// Without a prefix: Durable Functions clients expect /runtime/webhooks/durabletask/…. What the plugin sets
// (body parsing, validation, the API key when given) stays inside it; the app's own routes keep their own.
await app.register(taskhubPlugin, { backend: taskHub.backend, hub: taskHub.client.hub, registry });

app.post<{ Body: { city?: string } }>('/api/greetings', async (request, reply) => {
  const instanceId = await taskHub.client.startNew('HelloWorld', { input: request.body.city ?? 'World' });
  const checkStatus = taskHub.client.createCheckStatusResponse(request, instanceId);
  return reply.code(checkStatus.status).headers(checkStatus.headers).send(JSON.stringify(checkStatus.body));
});
app.addHook('onClose', () => taskHub.close());

console.log(await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // No new requests, then long polls answered, then the worker's work in hand, then the store.
  process.once(signal, () => void app.close());
}
