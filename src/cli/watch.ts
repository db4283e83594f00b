/**
 * `taskhub serve --watch`: runs the server in a child process and, when a file of the app changes, stops it
 * as SIGTERM would (HTTP first, then the work in hand commits) and starts a new one on the new code. A
 * process restart is what makes the new code run: Node caches ES modules, so the modules an app imports
 * cannot be loaded again in place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../runtime/logger.js';
import type { CliIo } from './io.js';

export interface WatchOptions {
  io: CliIo;
  logger: Logger;
  /** The folder watched, with its subfolders. */
  folder: string;
  /** `taskhub serve` arguments for each child (without --watch). */
  args: string[];
  /** Resolves when the supervisor is told to stop. */
  stopped: Promise<void>;
}

/** Changes closer together than this are one change: a build writes many files. */
const SETTLE_MS = 300;
/** Folders and files that change without the app changing: dependencies, VCS data, the SQLite store. */
const IGNORED_SEGMENTS = new Set(['node_modules', '.git', '.taskhub']);
const IGNORED_FILE = /\.(db|sqlite)(-wal|-shm|-journal)?$/;

/** The `taskhub` binary beside this module (main.ts when run through tsx in development). */
const cliEntry = fileURLToPath(new URL(`./main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export async function superviseWithRestarts(options: WatchOptions): Promise<void> {
  const { logger } = options;
  let child: ChildProcess | undefined = start(options);
  let exited: Promise<void> = exitOf(child);
  let restarting = false;
  let settle: NodeJS.Timeout | undefined;
  let stopping = false;

  const restart = async (reason: string) => {
    if (restarting || stopping) return;
    restarting = true;
    logger.info(`${reason}: restarting once the work in hand is done`);
    child?.kill('SIGTERM');
    await exited;
    if (!stopping) {
      child = start(options);
      exited = exitOf(child);
    }
    restarting = false;
  };

  const watcher: FSWatcher = watch(options.folder, { recursive: true }, (_event, file) => {
    if (file === null || ignored(file.toString())) return;
    clearTimeout(settle);
    settle = setTimeout(() => void restart(`${file.toString()} changed`), SETTLE_MS);
  });
  logger.info(`watching ${options.folder} for changes`);
  try {
    await options.stopped;
  } finally {
    stopping = true;
    clearTimeout(settle);
    watcher.close();
    child?.kill('SIGTERM');
    await exited;
  }
}

function start(options: WatchOptions): ChildProcess {
  const child = spawn(process.execPath, [...process.execArgv, cliEntry, 'serve', ...options.args], {
    cwd: options.io.cwd,
    env: options.io.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => options.io.stdout.write(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => options.io.stderr.write(chunk.toString()));
  child.once('exit', (code, signal) => {
    // A stop the supervisor asked for exits 0; anything else (a crash, an app that does not load) waits for a fix.
    if (code !== 0) options.logger.warn(`the server exited (${signal ?? `code ${code}`}); it starts again on the next change`);
  });
  return child;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function ignored(file: string): boolean {
  return file.split(sep).some((segment) => IGNORED_SEGMENTS.has(segment)) || IGNORED_FILE.test(file);
}
