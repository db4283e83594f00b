/** Runs tests/support/worker-process in a child process (compiled JS under npm test, tsx in development). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestStore } from './stores.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const entry = fileURLToPath(new URL(`./worker-process${extension}`, import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the worker printed "ready". */
  ready: Promise<void>;
  /** Resolves when the process has exited and its output has been read. */
  exited: Promise<void>;
  /** What it wrote to stderr, when spawned with captureStderr (else stderr is passed through). */
  stderr(): string;
  /** What it wrote to stdout. */
  stdout(): string;
}

export interface SpawnOptions {
  captureStderr?: boolean;
  /** A command that runs node, such as `ip netns exec <namespace>` (it must exec it, keeping the pid). */
  prefix?: string[];
}

export function spawnWorker(store: TestStore, hub: string, env: Record<string, string> = {}, options: SpawnOptions = {}): WorkerProcess {
  const [command = process.execPath, ...args] = [...(options.prefix ?? []), process.execPath, ...process.execArgv, entry];
  const child = spawn(command, args, {
    env: {
      ...process.env,
      TASKHUB_STORAGE: store.connectionString,
      TASKHUB_TEST_SCHEMA: store.schema ?? '',
      TASKHUB_HUB: hub,
      ...env,
    },
    stdio: ['ignore', 'pipe', options.captureStderr ? 'pipe' : 'inherit'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close' comes after 'exit' once the output pipes are drained: what it wrote is all there.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stdout = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (code ${code}, signal ${signal})`)));
  });
  return { child, ready, exited, stderr: () => stderr, stdout: () => stdout };
}

export async function killHard(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

export async function stopGracefully(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGTERM');
  await worker.exited;
}
