/**
 * A network link to PostgreSQL that a test can cut and heal (docs/reliability.md, T09). As root, it is a network
 * namespace of the test's own joined to this one by a veth pair: a process started with `prefix` runs in
 * the namespace and reaches PostgreSQL (which listens on loopback only) through a relay on this side of
 * the pair; cutting takes the pair's near end down, so every packet between them is lost and connections
 * hang, as in a real partition, until it is healed. Without the rights for that, it is a proxy on
 * loopback that stops forwarding while cut (bytes wait in the kernel's buffers); TASKHUB_TEST_PARTITION=proxy
 * chooses the proxy anyway.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { startPgFaultProxy, type PgFaultProxy } from './pg-fault-proxy.js';

const run = promisify(execFile);

export interface PartitionableLink {
  /** How the partition is made: 'network namespace' or 'proxy'. */
  readonly kind: 'network namespace' | 'proxy';
  /** Prepended to the command of a process that must reach PostgreSQL over this link. */
  readonly prefix: string[];
  /** `base` (a postgres:// URL) pointing at PostgreSQL across the link. */
  url(base: string): string;
  cut(): Promise<void>;
  heal(): Promise<void>;
  close(): Promise<void>;
}

export async function partitionableLink(postgres: { host: string; port: number }): Promise<PartitionableLink> {
  if (process.getuid?.() === 0 && process.env.TASKHUB_TEST_PARTITION !== 'proxy') {
    try {
      return await namespaceLink(postgres);
    } catch {
      // No network namespaces here (a container without CAP_NET_ADMIN): fall back to the proxy.
    }
  }
  return proxyLink(postgres);
}

async function namespaceLink(postgres: { host: string; port: number }): Promise<PartitionableLink> {
  const tag = randomBytes(4).toString('hex');
  const namespace = `taskhub-${tag}`;
  const near = `th${tag}a`;
  const far = `th${tag}b`;
  // A /30 in 10.200.0.0–10.249.255.255, unlikely to meet another test's.
  const subnet = `10.${200 + randomInt(50)}.${randomInt(256)}`;
  const nearAddress = `${subnet}.1`;
  const inside = (...command: string[]) => run('ip', ['netns', 'exec', namespace, ...command]);
  let relay: PgFaultProxy | undefined;
  const close = async () => {
    await relay?.close();
    await run('ip', ['link', 'del', near]).catch(() => undefined);
    await run('ip', ['netns', 'del', namespace]).catch(() => undefined);
  };
  try {
    await run('ip', ['netns', 'add', namespace]);
    await run('ip', ['link', 'add', near, 'type', 'veth', 'peer', 'name', far]);
    await run('ip', ['link', 'set', far, 'netns', namespace]);
    await run('ip', ['addr', 'add', `${nearAddress}/30`, 'dev', near]);
    await run('ip', ['link', 'set', near, 'up']);
    await inside('ip', 'addr', 'add', `${subnet}.2/30`, 'dev', far);
    await inside('ip', 'link', 'set', far, 'up');
    await inside('ip', 'link', 'set', 'lo', 'up');
    relay = await startPgFaultProxy(postgres, nearAddress);
  } catch (error) {
    await close();
    throw error;
  }
  const relayUrl = relay.url.bind(relay);
  return {
    kind: 'network namespace',
    prefix: ['ip', 'netns', 'exec', namespace],
    url: relayUrl,
    cut: async () => void (await run('ip', ['link', 'set', near, 'down'])),
    heal: async () => void (await run('ip', ['link', 'set', near, 'up'])),
    close,
  };
}

async function proxyLink(postgres: { host: string; port: number }): Promise<PartitionableLink> {
  const proxy = await startPgFaultProxy(postgres);
  return {
    kind: 'proxy',
    prefix: [],
    url: (base) => proxy.url(base),
    cut: async () => proxy.pause(),
    heal: async () => proxy.resume(),
    close: () => proxy.close(),
  };
}
