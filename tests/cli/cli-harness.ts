/**
 * Running the real `taskhub` binary (src/cli/main: tsx in development, compiled JS under npm test) against
 * a fresh store (SQLite or PostgreSQL, see singleStoreUnderTest), in a temp dir, and a client on the same
 * store to set up and check state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskHubClient } from '../../src/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { createTestStore, randomHub, singleStoreUnderTest, type TestStore } from '../support/stores.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const cliEntry = fileURLToPath(new URL(`../../src/cli/main${extension}`, import.meta.url));

/**
 * The test's own node flags (`--import tsx` in development), with bare module names made absolute: the
 * CLI runs in temp dirs, from which `tsx` would not resolve.
 */
export const nodeArgs = process.execArgv.map((arg, index, all) =>
  all[index - 1] === '--import' && !arg.startsWith('.') && !arg.startsWith('/') && !arg.includes(':') ? import.meta.resolve(arg) : arg,
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Variables the CLI reads, removed from the inherited environment so each test says what it sets. */
const CLI_VARIABLES = ['TASKHUB_STORAGE', 'TASKHUB_HUB', 'TASKHUB_DEBUG', 'TASKHUB_API_KEY', 'PORT'];

export function runTaskhub(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of CLI_VARIABLES) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [...nodeArgs, cliEntry, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temp dir, a fresh store, a hub, and the CLI pointed at both through TASKHUB_STORAGE. */
export interface CliStore {
  directory: string;
  store: TestStore;
  hub: string;
  backend: Backend;
  client: TaskHubClient;
  /** Runs the CLI in `directory` with TASKHUB_STORAGE set, and `--task-hub-name <hub>` unless args name a hub. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  close(): Promise<void>;
}

export async function createCliStore(): Promise<CliStore> {
  const directory = mkdtempSync(join(tmpdir(), 'taskhub-cli-'));
  const store = await createTestStore(singleStoreUnderTest());
  const backend = await store.open();
  const hub = randomHub();
  return {
    directory,
    store,
    hub,
    backend,
    client: new TaskHubClient({ backend, hub }),
    run: (args, options = {}) =>
      runTaskhub(args.includes('--task-hub-name') ? args : [...args, '--task-hub-name', hub], {
        cwd: options.cwd ?? directory,
        env: { TASKHUB_STORAGE: store.storage, ...options.env },
      }),
    async close() {
      await backend.close();
      await store.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The JSON printed before get-instances' continuation-token line, and the token. */
export function parsePage(stdout: string): { instances: { instanceId: string; [key: string]: unknown }[]; token: string } {
  const match = /\nContinuation token for next set of results: '([^']*)'\n$/.exec(stdout);
  if (!match) throw new Error(`no continuation-token line in:\n${stdout}`);
  return { instances: JSON.parse(stdout.slice(0, match.index)), token: match[1]! };
}
