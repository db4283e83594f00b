/**
 * The workloads of bench/run.ts on Restate: a single-node restate-server (its own process, its own store),
 * and in this process the SDK service endpoint plus the ingress client. Everything runs inside a network
 * namespace with loopback only (see network-namespace.mjs).
 *   node bench/peers/restate.mjs [--transport in-process|http] [--throughput N] [--latency N] [--fanouts N] [--in-flight N] [--json FILE]
 * An orchestration is a service handler whose steps are ctx.run. With the SDK's ingress client (the default),
 * it is started with a send that carries an idempotency key (which makes Restate keep the result to attach
 * to) and its result is fetched by attaching. With `--transport http`, each is one plain HTTP call to the
 * ingress, `POST /Bench/{handler}`, answered with the output: the peer of taskhub's start-and-wait request.
 */
import './promise-with-resolvers.mjs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http2';
import { insideNetworkNamespace, rerunInNetworkNamespace } from './network-namespace.mjs';
import { INGRESS_URL, startRestateServer } from './restate-server.mjs';
import { ownPeakRssMegabytes, parseCounts, report, runWorkloads } from './workloads.mjs';
import { postJson, preconnect } from './http-client.mjs';

const ENDPOINT_PORT = 9080;
const { counts, json, transport } = parseCounts();

async function main() {
  // Imported here so that the SDK reads RESTATE_LOGGING as set for the namespace run.
  const restate = await import('@restatedev/restate-sdk');
  const clients = await import('@restatedev/restate-sdk-clients');

  const greet = async (city) => `Hello ${city}`;
  const identity = async (i) => i;
  const bench = restate.service({
    name: 'Bench',
    handlers: {
      helloSequence: async (ctx, cities) => {
        const results = [];
        for (const city of cities) results.push(await ctx.run('greet', () => greet(city)));
        return results;
      },
      fanOut: async (ctx, n) => {
        const values = await restate.RestatePromise.all(Array.from({ length: n }, (_, i) => ctx.run('identity', () => identity(i + 1))));
        return values.reduce((a, b) => a + b, 0);
      },
    },
  });

  const server = await startRestateServer();
  const endpoint = createServer(restate.createEndpointHandler({ services: [bench] }));
  try {
    await new Promise((resolve, reject) => endpoint.once('error', reject).listen(ENDPOINT_PORT, '127.0.0.1', resolve));
    await server.register(`http://127.0.0.1:${ENDPOINT_PORT}`, [bench.name]);

    const overHttp = transport === 'http';
    const engine = overHttp ? httpEngine() : ingressClientEngine(clients, bench);
    const figures = await runWorkloads(engine, counts);
    report(
      {
        engine: `Restate ${version('restate-server')}`,
        transport: overHttp ? 'HTTP' : 'in process',
        detail: overHttp
          ? 'single node, defaults, POST /Bench/{handler} to the ingress'
          : `SDK ${version('restate-sdk')} ingress client, single node, defaults`,
        ...figures,
        peakRss: [
          { process: 'restate-server', megabytes: server.peakRss() / 1024 / 1024 },
          { process: overHttp ? 'SDK service + HTTP client' : 'SDK service + client', megabytes: ownPeakRssMegabytes() },
        ],
      },
      json,
    );
  } finally {
    await server.stop();
    await new Promise((resolve) => endpoint.close(resolve));
  }
}

/** Start by a send with an idempotency key, result by attaching (the SDK's ingress client). */
function ingressClientEngine(clients, bench) {
  const ingress = clients.connect({ url: INGRESS_URL });
  const send = ingress.serviceSendClient(bench);
  const durably = () => clients.rpc.sendOpts({ idempotencyKey: randomUUID() });
  return {
    startHello: (cities) => send.helloSequence(cities, durably()),
    startFanOut: (n) => send.fanOut(n, durably()),
    result: (handle) => ingress.result(handle),
  };
}

/** One request-response call to the ingress per orchestration, which answers with the output. */
function httpEngine() {
  const call = async (handler, input) => {
    const answer = await postJson(`${INGRESS_URL}/Bench/${handler}`, input);
    if (answer.status !== 200) throw new Error(`Bench/${handler} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  return {
    startHello: async (cities) => call('helloSequence', cities),
    startFanOut: async (n) => call('fanOut', n),
    result: (output) => output,
    beforeBurst: (count) => preconnect(`${INGRESS_URL}/restate/health`, count),
  };
}

function version(sdkPackage) {
  const packageJson = new URL(`./node_modules/@restatedev/${sdkPackage}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(packageJson, 'utf8')).version;
}

if (insideNetworkNamespace()) {
  await main();
} else {
  process.exitCode = await rerunInNetworkNamespace({ RESTATE_LOGGING: process.env.RESTATE_LOGGING ?? 'WARN', RESTATE_DISABLE_TELEMETRY: 'true' });
}
