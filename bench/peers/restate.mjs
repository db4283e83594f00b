/**
 * The workloads of bench/run.ts on Restate: a single-node restate-server (its own process, its own store),
 * and in this process the SDK service endpoint plus the ingress client. Everything runs inside a network
 * namespace with loopback only (see network-namespace.mjs).
 *   node bench/peers/restate.mjs [--throughput N] [--latency N] [--fanouts N]
 * An orchestration is a service handler whose steps are ctx.run; it is started with a send that carries an
 * idempotency key (which makes Restate keep the result to attach to) and its result is fetched by attaching.
 */
import './promise-with-resolvers.mjs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http2';
import { insideNetworkNamespace, rerunInNetworkNamespace } from './network-namespace.mjs';
import { INGRESS_URL, startRestateServer } from './restate-server.mjs';
import { megabytes, parseCounts, printTable, runWorkloads, trackPeakRss } from './workloads.mjs';

const ENDPOINT_PORT = 9080;
const counts = parseCounts();

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

  const rss = trackPeakRss();
  const server = await startRestateServer();
  const endpoint = createServer(restate.createEndpointHandler({ services: [bench] }));
  try {
    await new Promise((resolve, reject) => endpoint.once('error', reject).listen(ENDPOINT_PORT, '127.0.0.1', resolve));
    await server.register(`http://127.0.0.1:${ENDPOINT_PORT}`, [bench.name]);

    const ingress = clients.connect({ url: INGRESS_URL });
    const send = ingress.serviceSendClient(bench);
    const durably = () => clients.rpc.sendOpts({ idempotencyKey: randomUUID() });
    const engine = {
      startHello: (cities) => send.helloSequence(cities, durably()),
      startFanOut: (n) => send.fanOut(n, durably()),
      result: (handle) => ingress.result(handle),
    };

    const rows = await runWorkloads(engine, counts);
    printTable([
      ['store', `Restate ${version('restate-server')} (SDK ${version('restate-sdk')}, single node, defaults)`],
      ...rows,
      ['peak RSS (client + worker + store)', `${megabytes(rss.stop())} client + SDK service, ${megabytes(server.peakRss())} restate-server`],
    ]);
  } finally {
    rss.stop();
    await server.stop();
    await new Promise((resolve) => endpoint.close(resolve));
  }
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
