/**
 * Memory of one list page of large inputs: --instances instances with inputs of --input-bytes
 * on a fresh store, no worker, then `GET …/instances?top=N&showInput=true` on an in-process server, and the
 * CLI-shaped path (client.listInstances) alike. Prints the answer's status, pages and bytes, the time, and
 * the process's peak RSS and heap while it was read, sampled every 5 ms.
 *   node dist/bench/large-page.js [--instances 530] [--input-bytes 1000000] [--store sqlite|postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registry } from '../examples/demo-app.js';
import { createHttpServer } from '../src/http/server.js';
import { createTaskHub, silentLogger } from '../src/index.js';
import { createTestStore } from '../tests/support/stores.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '530' },
    'input-bytes': { type: 'string', default: '1000000' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const count = Number(args.instances);
const inputBytes = Number(args['input-bytes']);
const BASE = '/runtime/webhooks/durabletask';
const MiB = 1024 * 1024;

const directory = mkdtempSync(join(tmpdir(), 'taskhub-bench-page-'));
const store = await createTestStore(args.store === 'postgres' ? 'postgres' : 'sqlite');
const taskHub = await createTaskHub({ storage: store.storage, hub: 'Bench', registry, worker: false, maxPayloadBytes: inputBytes + 1024 });
const app = createHttpServer({ logger: silentLogger, backend: taskHub.backend, hub: 'Bench', registry, connectionString: store.storage, maxPayloadBytes: inputBytes + 1024 });
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/** Runs `work` while sampling the process's memory; returns the peaks above the level before. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; rssMiB: number; heapMiB: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  }, 5);
  const started = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - started, rssMiB: (rss - base.rss) / MiB, heapMiB: (heap - base.heapUsed) / MiB };
  } finally {
    clearInterval(sampler);
  }
}

try {
  const note = 'x'.repeat(inputBytes - 20);
  for (let i = 0; i < count; i++) await taskHub.client.startNew('Approval', { instanceId: `large-${i}`, input: { note } });

  const http = await measured(async () => {
    let pages = 0;
    let bytes = 0;
    let status = 0;
    let token: string | undefined;
    do {
      const answer = await fetch(`${url}${BASE}/instances?top=${count}&showInput=true`, { headers: token ? { 'x-ms-continuation-token': token } : {} });
      status = answer.status;
      bytes += (await answer.arrayBuffer()).byteLength;
      pages++;
      token = answer.headers.get('x-ms-continuation-token') ?? undefined;
      if (status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (token !== undefined);
    return { status, pages, bytes };
  });
  console.log(`${args.store}, ${count} instances of ${inputBytes} bytes, HTTP top=${count}&showInput=true: status ${http.value.status}, ${http.value.pages} pages, ${(http.value.bytes / MiB).toFixed(0)} MiB in ${http.ms.toFixed(0)} ms; peak RSS +${http.rssMiB.toFixed(0)} MiB, heap +${http.heapMiB.toFixed(0)} MiB`);

  const client = await measured(async () => {
    try {
      const page = await taskHub.client.listInstances({ pageSize: count, showInput: true });
      return `${page.instances.length} instances on the first page, token ${page.continuationToken ? 'present' : 'absent'}`;
    } catch (error) {
      return `failed: ${(error as Error).message}`;
    }
  });
  console.log(`  client.listInstances (the CLI's path) pageSize ${count}: ${client.value} in ${client.ms.toFixed(0)} ms; peak RSS +${client.rssMiB.toFixed(0)} MiB, heap +${client.heapMiB.toFixed(0)} MiB`);
} finally {
  await app.close();
  await taskHub.close();
  await store.destroy();
  rmSync(directory, { recursive: true, force: true });
}
