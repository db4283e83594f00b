/**
 * `taskhub serve`: the real binary runs the demo app's worker and the HTTP API on a SQLite store, prints
 * its URL, and stops cleanly (exit 0) on SIGTERM or SIGINT; its flags and its errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskHubClient } from '../../src/index.js';
import { waitForStatus } from '../support/polling.js';
import { randomHub } from '../support/stores.js';
import { cliEntry, createCliStore, nodeArgs, type CliStore } from './cli-harness.js';
import { freePort } from '../support/ports.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const demoApp = fileURLToPath(new URL(`../../examples/demo-app${extension}`, import.meta.url));
const MANAGEMENT = '/runtime/webhooks/durabletask';

interface Server {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

interface StartOptions {
  /** Default the store's directory. */
  cwd?: string;
  /** Pass `--task-hub-name <the store's hub>` (default true). */
  hubFlag?: boolean;
}

/** Starts `taskhub serve` and waits for the URL it prints. */
function startServer(cli: CliStore, args: string[], env: Record<string, string> = {}, options: StartOptions = {}): Promise<Server> {
  const hubArgs = options.hubFlag === false ? [] : ['--task-hub-name', cli.hub];
  const child = spawn(process.execPath, [...nodeArgs, cliEntry, 'serve', ...args, ...hubArgs], {
    cwd: options.cwd ?? cli.directory,
    env: { ...process.env, TASKHUB_STORAGE: cli.store.storage, TASKHUB_API_KEY: '', PORT: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /^(http:\/\/\S+)\n/.exec(stdout)?.[1];
      if (url) {
        resolve({
          child,
          url,
          stderr: () => stderr,
          stop: (signal) => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before printing its URL: ${stderr}`)));
  });
}

describe('taskhub serve', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('prints its URL, runs what start-new queues, answers the HTTP API, and exits 0 on SIGTERM', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0']);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const started = await cli.run(['start-new', '--function-name', 'E1_HelloSequence', '--id', 'served']);
      assert.equal(started.code, 0, started.stderr);
      await waitForStatus(cli.client, 'served', 'Completed');
      const response = await fetch(`${server.url}${MANAGEMENT}/instances/served?taskHub=${cli.hub}`);
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as { output: unknown }).output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0, server.stderr());
    }
    assert.match(server.stderr(), /serving task hub/, 'logs go to stderr');
  });

  it("without --task-hub-name, serves host.json's extensions.durableTask.hubName from its working directory", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'taskhub-serve-hostjson-'));
    const hostJsonHub = randomHub();
    writeFileSync(join(directory, 'host.json'), JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: hostJsonHub } } }));
    const server = await startServer(cli, [demoApp, '--port', '0'], { TASKHUB_HUB: '' }, { cwd: directory, hubFlag: false });
    try {
      const started = await fetch(`${server.url}${MANAGEMENT}/orchestrators/HelloWorld/from-host-json`, {
        method: 'POST',
        body: '"Oslo"',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(started.status, 202);
      assert.match(((await started.json()) as { statusQueryGetUri: string }).statusQueryGetUri, new RegExp(`[?&]taskHub=${hostJsonHub}(&|$)`));
      // The served worker runs that hub: the instance completes there.
      const hostJsonClient = new TaskHubClient({ backend: cli.backend, hub: hostJsonHub });
      await waitForStatus(hostJsonClient, 'from-host-json', 'Completed');
      assert.equal((await hostJsonClient.getStatus('from-host-json'))?.output, 'Hello Oslo!');
      const listed = await fetch(`${server.url}${MANAGEMENT}/instances?taskHub=${hostJsonHub}`);
      assert.deepEqual(((await listed.json()) as { instanceId: string }[]).map((status) => status.instanceId), ['from-host-json']);
      assert.equal(await cli.client.getStatus('from-host-json'), undefined, 'not in the hub the flag would have named');
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0, server.stderr());
      rmSync(directory, { recursive: true, force: true });
    }
    assert.match(server.stderr(), new RegExp(`serving task hub '${hostJsonHub}'`));
  });

  it('exits 0 on SIGINT (Ctrl+C)', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0']);
    assert.equal(await server.stop('SIGINT'), 0, server.stderr());
  });

  it('takes the port from PORT when --port is not given', async () => {
    const port = await freePort();
    const server = await startServer(cli, [demoApp], { PORT: String(port) });
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('--api-key-file (or TASKHUB_API_KEY) gives the key every request must carry; the file may end with a line break', async () => {
    const keyFile = join(cli.directory, 'api-key');
    writeFileSync(keyFile, 's3cret\n', { mode: 0o600 });
    for (const [args, env] of [[['--api-key-file', 'api-key'], {}], [[], { TASKHUB_API_KEY: 's3cret' }]] as const) {
      const server = await startServer(cli, [demoApp, '--port', '0', ...args], env);
      try {
        const list = `${server.url}${MANAGEMENT}/instances?taskHub=${cli.hub}`;
        assert.equal((await fetch(list)).status, 401);
        assert.equal((await fetch(list, { headers: { 'x-functions-key': 's3cret' } })).status, 200);
      } finally {
        await server.stop('SIGTERM');
      }
    }
  });

  it('refuses --api-key (a key in the command line shows in ps), an empty or unreadable key file, and two sources (exit 2, one line)', async () => {
    writeFileSync(join(cli.directory, 'empty-key'), '\n');
    writeFileSync(join(cli.directory, 'two-lines'), 'one\ntwo\n');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--api-key', 's3cret'], {}, /^error: --api-key is not accepted: a key in the command line is visible to every user of the machine \(ps\); put it in a file and pass --api-key-file <path>, or set TASKHUB_API_KEY\n$/],
      [['--api-key', ''], { TASKHUB_API_KEY: 'from-env' }, /^error: --api-key is not accepted/],
      [['--api-key-file', 'empty-key'], {}, /^error: the --api-key-file '.*empty-key' is empty: write the key in it\n$/],
      [['--api-key-file', 'two-lines'], {}, /^error: the --api-key-file '.*two-lines' must hold the key alone, on one line/],
      [['--api-key-file', 'missing-key'], {}, /^error: cannot read the --api-key-file '.*missing-key': no such file\n$/],
      [['--api-key-file', '/dev/zero'], {}, /^error: cannot read the --api-key-file '\/dev\/zero': it is not a regular file/],
      [['--api-key-file', 'two-lines'], { TASKHUB_API_KEY: 'from-env' }, /^error: both --api-key-file and TASKHUB_API_KEY are set: use one of them\n$/],
    ];
    for (const [args, env, message] of cases) {
      const result = await cli.run(['serve', demoApp, '--port', '0', ...args], { env });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '', 'no server was started');
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
      assert.match(result.stderr, message);
    }
  });

  it('serve --help offers the key file and the environment, not --api-key', async () => {
    const help = (await cli.run(['serve', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.ok(help.includes('--api-key-file <path> require the key this file holds'), help);
    assert.ok(help.includes('TASKHUB_API_KEY'), help);
    assert.doesNotMatch(help, /--api-key </);
  });

  it('--embed-key-in-urls puts the key into returned management URLs; --max-payload-bytes limits bodies', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0', '--embed-key-in-urls', '--max-payload-bytes', '100'], { TASKHUB_API_KEY: 'k3y' });
    try {
      const start = `${server.url}${MANAGEMENT}/orchestrators/HelloWorld?taskHub=${cli.hub}&code=k3y`;
      const accepted = await fetch(start, { method: 'POST', body: '"Ana"', headers: { 'content-type': 'application/json' } });
      assert.equal(accepted.status, 202);
      assert.match(((await accepted.json()) as { statusQueryGetUri: string }).statusQueryGetUri, /[?&]code=k3y(&|$)/);
      const large = await fetch(start, { method: 'POST', body: JSON.stringify('x'.repeat(200)), headers: { 'content-type': 'application/json' } });
      assert.equal(large.status, 413);
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('--max-history-events fails an instance whose history would outgrow it (T20)', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0', '--max-history-events', '10']);
    try {
      const start = (n: number) =>
        fetch(`${server.url}/orchestrators/FanOutFanIn/wait?timeout=20&retryInterval=0.1`, {
          method: 'POST',
          body: JSON.stringify(n),
          headers: { 'content-type': 'application/json' },
        });
      // Four activities fit in 10 events per step (OrchestratorStarted, ExecutionStarted, 4 × TaskScheduled, …); 20 do not.
      const small = await start(2);
      assert.equal(small.status, 200);
      assert.equal(await small.json(), 5);
      const wide = await start(20);
      assert.equal(wide.status, 500);
      const status = (await wide.json()) as { runtimeStatus: string; output: string; failureDetails: { errorType: string; errorMessage: string } };
      assert.equal(status.runtimeStatus, 'Failed');
      assert.match(status.output, /^Orchestrator function '.+' failed: .*beyond the limit of 10/);
      assert.equal(status.failureDetails.errorType, 'HistoryLimitError');
      assert.match(status.failureDetails.errorMessage, /beyond the limit of 10/);
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('--host beyond loopback needs an API key or --insecure', async () => {
    const refused = await cli.run(['serve', demoApp, '--port', '0', '--host', '0.0.0.0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^error: refusing to listen on 0\.0\.0\.0 without an API key/);
    const server = await startServer(cli, [demoApp, '--port', '0', '--host', '0.0.0.0', '--insecure']);
    try {
      assert.match(server.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('reports a missing app module, a module without a Registry, bad ports and a port in use (exit 2, one line)', async () => {
    writeFileSync(join(cli.directory, 'no-registry.mjs'), 'export const nothing = 1;\n');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['missing-app.js', '--port', '0'], {}, /^error: cannot load the app module '.*missing-app\.js': /],
      [['no-registry.mjs', '--port', '0'], {}, /^error: the app module '.*no-registry\.mjs' exports no Registry/],
      [[demoApp, '--port', 'http'], {}, /^error: --port must be a whole number from 0 to 65535 \(got 'http'\)\n$/],
      [[demoApp, '--port', '70000'], {}, /^error: --port must be a whole number from 0 to 65535/],
      [[demoApp], { PORT: 'eighty' }, /^error: the PORT environment variable must be a whole number from 0 to 65535/],
      [[demoApp, '--port', '0', '--max-payload-bytes', '0'], {}, /^error: --max-payload-bytes must be a whole number from 1 to/],
      [[demoApp, '--port', '0', '--max-history-events', 'many'], {}, /^error: --max-history-events must be a whole number from 1 to/],
    ];
    for (const [args, env, message] of cases) {
      const result = await cli.run(['serve', ...args], { env });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
      assert.match(result.stderr, message);
    }
    const taken = await startServer(cli, [demoApp, '--port', '0']);
    try {
      const port = new URL(taken.url).port;
      const result = await cli.run(['serve', demoApp, '--port', port]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^error: port ${port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      await taken.stop('SIGTERM');
    }
  });

  it('GET /healthz and /readyz answer 200 without the API key (for probes)', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0'], { TASKHUB_API_KEY: 'probe-key' });
    try {
      for (const [path, status] of [['/healthz', 'ok'], ['/readyz', 'ready']]) {
        const answer = await fetch(`${server.url}${path}`);
        assert.equal(answer.status, 200, path);
        assert.deepEqual(await answer.json(), { status });
      }
      assert.equal((await fetch(`${server.url}${MANAGEMENT}/instances`)).status, 401, 'the API still needs the key');
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('logs a banner and a shutdown line as JSON off a terminal; --log-requests adds a line per request', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0', '--log-requests']);
    await fetch(`${server.url}/healthz?code=secret-in-query`);
    assert.equal(await server.stop('SIGTERM'), 0, server.stderr());
    const lines = server.stderr().trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string });
    const messages = lines.map((line) => line.msg);
    assert.ok(messages.some((text) => text.startsWith('taskhub ') && text.includes('app ')), messages.join('\n'));
    assert.ok(messages.includes(`serving task hub '${cli.hub}' of ${cli.backend.description} on ${server.url}`), messages.join('\n'));
    assert.ok(messages.includes(`dashboard ${server.url}/`), messages.join('\n'));
    assert.ok(messages.some((text) => /^GET \/healthz 200 \d+\.\d ms$/.test(text)), messages.join('\n'));
    assert.ok(!server.stderr().includes('secret-in-query'), 'the query is not logged');
    assert.ok(messages.includes('SIGTERM received: stopping (SIGINT or SIGTERM again to stop at once)'));
    assert.ok(messages.some((text) => /^stopped in \d+\.\d s$/.test(text)), messages.join('\n'));
  });

  it('--log-level warn (or TASKHUB_LOG_LEVEL) keeps the banner out; --log-format pretty writes readable lines', async () => {
    for (const [args, env] of [[['--log-level', 'warn'], {}], [[], { TASKHUB_LOG_LEVEL: 'WARN' }]] as const) {
      const quiet = await startServer(cli, [demoApp, '--port', '0', ...args], env);
      assert.equal(await quiet.stop('SIGTERM'), 0, quiet.stderr());
      assert.equal(quiet.stderr(), '');
    }
    const pretty = await startServer(cli, [demoApp, '--port', '0', '--log-format', 'pretty'], { NO_COLOR: '1' });
    assert.equal(await pretty.stop('SIGTERM'), 0);
    assert.match(pretty.stderr(), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: taskhub /);
    assert.match(pretty.stderr(), /\] INFO: serving task hub '/);
    for (const [args, message] of [
      [['--log-level', 'loud'], /^error: --log-level must be one of trace, debug, info, warn, error, fatal, silent \(got 'loud'\)\n$/],
      [['--log-format', 'xml'], /^error: --log-format must be pretty or json \(got 'xml'\)\n$/],
    ] as const) {
      const refused = await cli.run(['serve', demoApp, '--port', '0', ...args]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, message);
    }
  });

  it('a signal repeated at once (npx forwards Ctrl+C) still drains and exits 0', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0']);
    const exited = server.stop('SIGINT');
    server.child.kill('SIGINT');
    assert.equal(await exited, 0, server.stderr());
  });

  it('a store that cannot be reached: one line naming it, password masked, exit 1', async () => {
    const result = await cli.run(['serve', demoApp, '--port', '0'], { env: { TASKHUB_STORAGE: 'postgres://app:s3cret@127.0.0.1:1/orders' } });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: cannot use the store postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/orders: .*ECONNREFUSED.*\n$/);
    assert.ok(!result.stderr.includes('s3cret'));
  });

  it('management URLs name the --connection-string-setting it was started with', async () => {
    const server = await startServer(cli, [demoApp, '--port', '0', '--connection-string-setting', 'ORDERS_DB'], { ORDERS_DB: cli.store.storage });
    try {
      const started = await fetch(`${server.url}${MANAGEMENT}/orchestrators/HelloWorld`, { method: 'POST' });
      const uri = ((await started.json()) as { statusQueryGetUri: string }).statusQueryGetUri;
      assert.match(uri, /[?&]connection=ORDERS_DB(&|$)/);
      assert.equal((await fetch(uri)).status < 300, true, 'the URL answers');
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('serve without an app module is a usage error', async () => {
    const result = await cli.run(['serve']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: missing required argument 'app-module'\n[\s\S]*Usage: taskhub serve \[options\] <app-module>/);
  });
});
