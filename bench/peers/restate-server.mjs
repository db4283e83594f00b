/**
 * A single-node Restate server from the binary that @restatedev/restate-server ships, on the default ports
 * (ingress 8080, admin 9070, node 5122) of the current network namespace, in a fresh data directory that is
 * removed when it stops.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, constants, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const INGRESS_URL = 'http://127.0.0.1:8080';
const ADMIN_URL = 'http://127.0.0.1:9070';

export async function startRestateServer() {
  const require = createRequire(import.meta.url);
  const binary = require.resolve(`@restatedev/restate-server-${platform()}-${arch()}/bin/restate-server`);
  const baseDir = mkdtempSync(join(tmpdir(), 'taskhub-bench-restate-'));
  // The server looks up its latest release on GitHub at every start, whatever the telemetry setting; in the
  // namespace that fails by design, and the HTTP library's error about it is muted.
  const logFilter = process.env.RESTATE_LOG_FILTER ?? 'warn,octocrab=off';
  const child = spawn(binary, ['--base-dir', baseDir, '--no-logo'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, RESTATE_DISABLE_TELEMETRY: 'true', RESTATE_LOG_FILTER: logFilter },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  // Never leave the server or its data behind, whichever way this process ends: a time limit or Ctrl-C ends
  // it through exit(), and 'exit' listeners may only do synchronous work.
  const abandon = () => {
    child.kill('SIGKILL');
    rmSync(baseDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  const exitOnSignal = (signal) => process.exit(128 + constants.signals[signal]);
  process.once('exit', abandon);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, exitOnSignal);

  const server = {
    pid: child.pid,
    /** Registers the SDK endpoint at `uri` and waits until the ingress knows its services. */
    async register(uri, serviceNames) {
      const response = await fetch(`${ADMIN_URL}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri }),
      });
      if (!response.ok) throw new Error(`registering ${uri} failed: ${response.status} ${await response.text()}`);
      for (const name of serviceNames) await waitFor(`${ADMIN_URL}/services/${name}`, exited);
    },
    /** The server's peak resident set so far (VmHWM), in bytes. */
    peakRss() {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : Number.NaN;
    },
    async stop() {
      process.removeListener('exit', abandon);
      for (const signal of ['SIGINT', 'SIGTERM']) process.removeListener(signal, exitOnSignal);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(`${ADMIN_URL}/health`, exited);
    await waitFor(`${INGRESS_URL}/restate/health`, exited);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Polls `url` until it answers 2xx; fails if the server exits first or after 30 s. */
async function waitFor(url, exited) {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`restate-server exited while waiting for ${url}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`restate-server: no answer from ${url} within 30 s`);
}
