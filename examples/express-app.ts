/**
 * taskhub inside an Express app: the management API is mounted as middleware, and a route of the app's
 * own starts an orchestration and answers with the check-status response, as the seed's HTTP starters do.
 *
 * Run (from the taskhub checkout): npm run build && node dist/examples/express-app.js
 * then: curl -i -X POST http://127.0.0.1:3000/api/greetings -H 'Content-Type: application/json' -d '{"city":"Lisbon"}'
 * PORT chooses the port (0: any free one); TASKHUB_STORAGE the store, as everywhere.
 */
import express from 'express';
import { createTaskHub } from 'taskhub';
import { createRequestHandler } from 'taskhub/http';
import { registry } from './demo-app.js';

const taskHub = await createTaskHub({ registry }); // a worker runs in this process
const taskhubApi = await createRequestHandler({ backend: taskHub.backend, hub: taskHub.client.hub, registry });

const app = express();
// Before the body parsers: taskhub reads its own request bodies. It answers /runtime/webhooks/durabletask/…
// and the sample starters (/orchestrators/…), and passes every other request on.
app.use(taskhubApi);
app.use(express.json());

app.post('/api/greetings', async (request, response) => {
  const { city } = request.body as { city?: string };
  const instanceId = await taskHub.client.startNew('HelloWorld', { input: city ?? 'World' });
  const checkStatus = taskHub.client.createCheckStatusResponse({ url: request.originalUrl, headers: request.headers }, instanceId);
  response.status(checkStatus.status).set(checkStatus.headers).send(JSON.stringify(checkStatus.body));
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // No new requests, then long polls answered, then the worker's work in hand, then the store.
    server.close();
    void taskhubApi.close().then(() => taskHub.close());
  });
}
