/**
 * `taskhub serve` in a child process, as a user runs it, for the HTTP benchmarks: the CLI of this checkout,
 * the workloads' app module, any free port, logs at warn. Its peak RSS is read from /proc before it stops.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const APP = fileURLToPath(new URL('./http-app.js', import.meta.url));

export interface ServeProcess {
  url: string;
  /** The kernel's high-water mark of the server's resident memory, in MB. */
  peakRssMegabytes(): number;
  /** CPU time the server has used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startServe(storage: string, hub: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVE_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), CLI, 'serve', APP, '--port', '0', '--task-hub-name', hub, '--log-level', 'warn'], {
    env: { ...process.env, TASKHUB_STORAGE: storage },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never leave the server behind, whichever way this process ends.
  const abandon = () => child.kill('SIGKILL');
  process.once('exit', abandon);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`taskhub serve exited with ${code} before it printed its URL`)));
  });
  return {
    url,
    peakRssMegabytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kilobytes = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kilobytes / 1024;
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/PID/stat, after the parenthesised command name; in clock ticks (100 a second).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      process.off('exit', abandon);
    },
  };
}

/**
 * A client of many connections at once: node:http with keep-alive and no socket limit, one connection per
 * request in flight (fetch, undici, made the client the bottleneck at a few hundred requests at once).
 * TCP keep-alive probes start after TCP_KEEP_ALIVE_DELAY_MS, longer than any wait of the benchmarks: with
 * the agent's default of 1 s, every connection whose request was held sent a probe a second (476,691 in one
 * run, docs/benchmarks.md "taskhub serve under load"), the kernel dropped packets of its loopback queue, and
 * runs failed with ETIMEDOUT on one of the 10,000 held connections (the end of one whose probes go unanswered).
 */
const TCP_KEEP_ALIVE_DELAY_MS = 15 * 60_000;
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: TCP_KEEP_ALIVE_DELAY_MS, maxSockets: Infinity, maxFreeSockets: Infinity });
const CONNECT_WAVE = 200;

/**
 * Opens `count` keep-alive connections before a burst, in waves the server's accept queue (511) can take:
 * 10,000 connections opened in one go overflow it, and the kernel then retries or resets them for seconds,
 * which measures the kernel, not the server. Each connection is held until the server has answered on it
 * (GET /healthz, response left unread), then all are released into the agent's pool, which the burst reuses.
 */
export async function preconnect(url: string, count: number): Promise<void> {
  const held: http.IncomingMessage[] = [];
  for (let opened = 0; opened < count; opened += CONNECT_WAVE) {
    const wave = Array.from({ length: Math.min(CONNECT_WAVE, count - opened) }, () =>
      new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${url}/healthz`, { agent }, resolve).on('error', reject)),
    );
    held.push(...(await Promise.all(wave)));
  }
  await Promise.all(held.map((response) => new Promise((resolve) => response.on('end', resolve).resume())));
}

/** One POST with a JSON body; resolves to the status and the parsed answer. */
export function postJson(url: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The HTTP API's start-and-wait: `POST …/orchestrators/{name}?timeout=600`, 200 with the output. */
export async function startAndWait(url: string, name: string, input: unknown): Promise<unknown> {
  const answer = await postJson(`${url}/runtime/webhooks/durabletask/orchestrators/${name}?timeout=600`, input);
  if (answer.status !== 200) throw new Error(`${name} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}
