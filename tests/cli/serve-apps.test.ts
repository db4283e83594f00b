/**
 * `taskhub serve` on an app of the user's own, in a folder of its own that imports `taskhub` by name:
 * a TypeScript module runs through the app's tsx (and without tsx the error says what to do), and
 * `--watch` restarts the server on the changed code, after the work in hand is done.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/polling.js';
import { cliEntry, createCliStore, nodeArgs, type CliStore } from './cli-harness.js';

const checkout = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url));

/** A folder with `taskhub` (this checkout) in its node_modules, and tsx when asked. */
function appFolder(withTsx: boolean): string {
  const folder = mkdtempSync(join(tmpdir(), 'taskhub-user-app-'));
  mkdirSync(join(folder, 'node_modules'));
  symlinkSync(checkout, join(folder, 'node_modules', 'taskhub'), 'dir');
  if (withTsx) symlinkSync(join(checkout, 'node_modules', 'tsx'), join(folder, 'node_modules', 'tsx'), 'dir');
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'user-app', type: 'module' }));
  return folder;
}

function greetingApp(greeting: string, typed: boolean): string {
  const parameter = typed ? 'context: OrchestrationContext' : 'context';
  return [
    `import { Registry, defineActivity, defineOrchestrator${typed ? ', type OrchestrationContext' : ''} } from 'taskhub';`,
    `const greet = defineActivity('Greet', (name${typed ? ': string' : ''}) => \`${greeting} \${name}!\`);`,
    `const greeting = defineOrchestrator('Greeting', function* (${parameter}) {`,
    `  return yield* context.callActivity(greet, context.getInput${typed ? '<string>' : ''}());`,
    '});',
    `const slowGreet = defineActivity('SlowGreet', async () => { await new Promise((resolve) => setTimeout(resolve, 1500)); return '${greeting} slowly'; });`,
    `const slow = defineOrchestrator('Slow', function* (${parameter}) {`,
    '  return yield* context.callActivity(slowGreet);',
    '});',
    'export const registry = new Registry().add(greet, greeting, slowGreet, slow);',
    '',
  ].join('\n');
}

interface Served {
  child: ChildProcessWithoutNullStreams;
  urls: string[];
  stderr(): string;
  exited: Promise<number | null>;
}

function serveApp(cli: CliStore, folder: string, args: string[]): Served {
  const child = spawn(process.execPath, [...nodeArgs, cliEntry, 'serve', ...args, '--port', '0', '--task-hub-name', cli.hub], {
    cwd: folder,
    env: { ...process.env, TASKHUB_STORAGE: cli.store.storage, TASKHUB_API_KEY: '', PORT: '' },
  });
  const served: Served = { child, urls: [], stderr: () => stderr, exited: new Promise((resolve) => child.once('exit', resolve)) };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    served.urls = stdout.split('\n').filter((line) => line.startsWith('http://'));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return served;
}

async function greet(url: string, name: string, apiKey?: string): Promise<unknown> {
  const answer = await fetch(`${url}/orchestrators/Greeting/wait?timeout=20`, {
    method: 'POST',
    body: JSON.stringify(name),
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-functions-key': apiKey } : {}) },
  });
  return answer.json();
}

describe('taskhub serve on a TypeScript app', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('loads app.ts through the tsx the app has', async () => {
    const folder = appFolder(true);
    writeFileSync(join(folder, 'app.ts'), greetingApp('Hello', true));
    const served = serveApp(cli, folder, ['./app.ts']);
    try {
      const url = await eventually('the URL', async () => served.urls[0], 30_000);
      assert.equal(await greet(url, 'Lisbon'), 'Hello Lisbon!');
    } finally {
      served.child.kill('SIGTERM');
      assert.equal(await served.exited, 0, served.stderr());
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('without tsx: exit 2 and one line saying how to run it', async () => {
    const folder = appFolder(false);
    writeFileSync(join(folder, 'app.ts'), greetingApp('Hello', true));
    try {
      const result = await cli.run(['serve', './app.ts', '--port', '0'], { cwd: folder });
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        /^error: the app module '.*app\.ts' is TypeScript, and tsx is not installed where it can be found: install it in your app \(npm install --save-dev tsx\) .* or compile the app \(tsc\) and serve the \.js\n$/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('taskhub serve --watch', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('restarts on the rebuilt app once the work in hand is done, and stops with exit 0', { timeout: 120_000 }, async () => {
    const folder = appFolder(false);
    mkdirSync(join(folder, 'dist'));
    writeFileSync(join(folder, 'dist', 'app.js'), greetingApp('Hello', false));
    // The key file is read once, by the supervisor; the key reaches each new server through its
    // environment, not its command line.
    writeFileSync(join(folder, 'api-key'), 'watch-key\n');
    const served = serveApp(cli, folder, ['dist/app.js', '--watch', '--api-key-file', 'api-key']);
    try {
      const first = await eventually('the first URL', async () => served.urls[0], 30_000);
      assert.equal(await greet(first, 'Oslo', 'watch-key'), 'Hello Oslo!');
      // An activity running when the change comes finishes on the old code before the server stops.
      const started = await fetch(`${first}/orchestrators/Slow/in-flight`, { method: 'POST', headers: { 'x-functions-key': 'watch-key' } });
      assert.equal(started.status, 202);
      await eventually('the slow activity to start', async () => ((await cli.client.getStatus('in-flight'))?.runtimeStatus === 'Running' ? true : undefined));

      writeFileSync(join(folder, 'dist', 'app.js'), greetingApp('Hej', false));
      const second = await eventually('the URL after the restart', async () => served.urls[1], 30_000);
      assert.equal(await greet(second, 'Oslo', 'watch-key'), 'Hej Oslo!');
      assert.match(served.stderr(), /app\.js changed: restarting once the work in hand is done/);
      assert.match(served.stderr(), /stopped in \d+\.\d s/);
      const inFlight = await eventually('the in-flight instance to complete', async () => {
        const status = await cli.client.getStatus('in-flight');
        return status?.runtimeStatus === 'Completed' ? status : undefined;
      });
      assert.equal(inFlight.output, 'Hello slowly', 'run by the old code, not again by the new');
    } finally {
      served.child.kill('SIGTERM');
      assert.equal(await served.exited, 0, served.stderr());
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
