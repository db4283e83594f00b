/**
 * The README's "Use it in your app" and "A five-minute tour", run as written and in order on a fresh copy
 * of this repository (its tracked and not-ignored files) with the app folder `my-app` beside it, so the
 * README cannot drift from what works.
 *
 * How a block says what to do with it (its first line):
 * - `// FILE in PLACE …` writes FILE in PLACE; `— run: COMMAND` on that line then runs COMMAND there.
 * - `# in PLACE …` runs the block in PLACE with bash (stopping at the first failing command);
 *   `, in a terminal of its own` runs it in the background until the tour ends, once it has printed a URL,
 *   and then stops it as Ctrl+C would (SIGINT to its process group): it must exit 0.
 * - `# → TEXT` (or `// → TEXT` in a file that is run) after a command: its output contains TEXT.
 * PLACE is `the taskhub checkout` or `my-app` (beside it). Every other block of those sections is an error.
 *
 * What differs from a person's first hour, for the test's sake only: servers listen on a free port (PORT;
 * `localhost:7071` in commands is rewritten to it); node_modules of the copy and of my-app start as copies
 * of this checkout's, so npm reuses them instead of compiling better-sqlite3 again; npm prefers its cache.
 * npm runs `npx` commands with bash, as where /bin/sh is bash (macOS, Fedora): bash hands the command over
 * to the process, so Ctrl+C reaches taskhub twice (from the terminal, and forwarded by npm). Debian's
 * /bin/sh, dash, instead reports any Ctrl+C as exit 130 itself, whatever the program did (docs/cli.md).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.js';

const checkout = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url));
const TOUR_SECTIONS = ['Use it in your app', 'A five-minute tour'];

interface Block {
  language: string;
  lines: string[];
}

/** The fenced code blocks of the tour's sections, in order. */
function tourBlocks(readme: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let open: Block | undefined;
  for (const line of readme.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        if (TOUR_SECTIONS.includes(section)) blocks.push(open);
        open = undefined;
      } else open.lines.push(line);
      continue;
    }
    const heading = /^## (.+)$/.exec(line);
    if (heading) section = heading[1]!.trim();
    const fence = /^```(\w*)$/.exec(line);
    if (fence) open = { language: fence[1]!, lines: [] };
  }
  return blocks;
}

/** Which folder a block's `in PLACE` names. */
function placeOf(text: string, places: Record<string, string>): string {
  const name = text.replace(/\s*\(.*$/, '').trim();
  const folder = places[name];
  assert.ok(folder, `the README names an unknown place '${name}' (known: ${Object.keys(places).join(', ')})`);
  return folder;
}

/** A shell block as bash runs it: continuation lines joined, each `# → TEXT` a check on the command before. */
function shellScript(lines: string[], port: number): string {
  const joined: string[] = [];
  for (const line of lines) {
    const previous = joined.at(-1);
    if (previous?.endsWith('\\')) joined[joined.length - 1] = `${previous.slice(0, -1)} ${line.trim()}`;
    else joined.push(line);
  }
  const script = ['set -euo pipefail', "expect() { case \"$2\" in *\"$1\"*) ;; *) printf 'expected the output to contain: %s\\n' \"$1\" >&2; exit 1;; esac; }"];
  for (let index = 0; index < joined.length; index++) {
    const command = rewritePort(joined[index]!, port);
    const checks: string[] = [];
    while (joined[index + 1]?.startsWith('# → ')) checks.push(joined[++index]!.slice('# → '.length));
    if (checks.length === 0 || command.startsWith('#')) {
      script.push(command);
      continue;
    }
    script.push(`out=$(${command})`, `printf '%s\\n' "$out"`, ...checks.map((text) => `expect ${quote(text)} "$out"`));
  }
  return script.join('\n');
}

function rewritePort(command: string, port: number): string {
  return command.replaceAll('localhost:7071', `127.0.0.1:${port}`);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}


interface Ran {
  code: number | null;
  output: string;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** A copy of the repository as a clone would have it (plus uncommitted edits), with this checkout's node_modules. */
function copyRepository(target: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: checkout, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(checkout, file)));
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(checkout, file), join(target, file));
  }
  copyModules(target);
}

function copyModules(target: string): void {
  execFileSync('cp', ['-a', '--reflink=auto', join(checkout, 'node_modules'), join(target, 'node_modules')]);
  // npm's record of the tree it installed: without it, npm reads the copied tree as it is.
  rmSync(join(target, 'node_modules', '.package-lock.json'), { force: true });
}

describe('the README tour, as written', () => {
  let root: string;
  const servers: { child: ChildProcess; exited: Promise<number | null>; output(): string }[] = [];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'taskhub-tour-'));
  });
  after(() => {
    for (const server of servers) if (server.child.exitCode === null) process.kill(-server.child.pid!, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('runs every step, and the package it builds installs without warnings', { timeout: 900_000 }, async () => {
    const places = { 'the taskhub checkout': join(root, 'taskhub'), 'my-app': join(root, 'my-app') };
    copyRepository(places['the taskhub checkout']);
    mkdirSync(places['my-app']);
    copyModules(places['my-app']);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), npm_config_prefer_offline: 'true', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_script_shell: 'bash' };
    for (const name of Object.keys(env)) if (name.startsWith('TASKHUB_')) delete env[name];

    const blocks = tourBlocks(readFileSync(join(places['the taskhub checkout'], 'README.md'), 'utf8'));
    assert.ok(blocks.length >= 6, 'the tour has its blocks');
    const transcript: string[] = [];
    for (const block of blocks) {
      const [header = '', ...body] = block.lines;
      const file = /^\/\/ (\S+) in (.+?)(?: — run: (.+))?$/.exec(header);
      const shell = /^# in (.+?)(, in a terminal of its own.*)?$/.exec(header);
      if (file) {
        const folder = placeOf(file[2]!, places);
        writeFileSync(join(folder, file[1]!), `${block.lines.join('\n')}\n`);
        if (file[3] === undefined) continue;
        const ran = await run(rewritePort(file[3], port), folder, env);
        transcript.push(ran.output);
        assert.equal(ran.code, 0, `${file[3]}:\n${ran.output}`);
        for (const [, expected] of body.join('\n').matchAll(/\/\/ → (.+)$/gm)) assert.ok(ran.output.includes(expected!), `${file[3]} printed ${expected}:\n${ran.output}`);
      } else if (shell) {
        const folder = placeOf(shell[1]!, places);
        const script = shellScript(body, port);
        if (shell[2] === undefined) {
          const ran = await run(script, folder, env);
          transcript.push(ran.output);
          assert.equal(ran.code, 0, `${header}\n${body.join('\n')}\n---\n${ran.output}`);
        } else {
          servers.push(await startServer(script, folder, env));
        }
      } else {
        assert.fail(`a tour block says neither its file nor where it runs: ${header}`);
      }
    }

    for (const server of servers) {
      process.kill(-server.child.pid!, 'SIGINT');
      assert.equal(await server.exited, 0, `Ctrl+C stops the server with exit 0:\n${server.output()}`);
    }
    const everything = transcript.join('\n');
    assert.doesNotMatch(everything, /EBADENGINE/, 'no engine warnings on this Node.js');
    assert.doesNotMatch(everything, /^npm warn install-scripts .*taskhub/m, 'the package has no install-time scripts');
    assertPackage(join(places['the taskhub checkout'], 'taskhub-0.1.0.tgz'));
  });
});

async function startServer(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  // A process group of its own, as a terminal gives: Ctrl+C reaches npx and the server together.
  const child = spawn('bash', ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const started = Date.now();
  while (!/^http:\/\/\S+$/m.test(stdout)) {
    assert.equal(child.exitCode, null, `the server exited before printing its URL:\n${stdout}${stderr}`);
    assert.ok(Date.now() - started < 120_000, `no URL within 2 minutes:\n${stdout}${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, exited, output: () => `${stdout}${stderr}` };
}

/** What the tarball holds: the built code, docs, examples and README; no tests, benchmarks or scripts. */
function assertPackage(tarball: string): void {
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const expected of ['package/package.json', 'package/README.md', 'package/dist/src/index.js', 'package/dist/src/http/index.js', 'package/dist/src/cli/main.js', 'package/dist/src/testing/index.js', 'package/dist/src/backend/postgres/sql/commit.sql', 'package/dist/examples/demo-app.js', 'package/examples/express-app.ts', 'package/docs/http-api.md']) {
    assert.ok(files.includes(expected), `${expected} is in the package`);
  }
  for (const file of files) assert.doesNotMatch(file, /^package\/(dist\/)?(tests|bench|scripts)\/|\.map$|^package\/src\//, `${file} is not for users`);
  const manifest = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
  assert.equal(manifest.scripts, undefined, 'no scripts: nothing runs when it is installed');
  assert.equal(manifest.devDependencies, undefined);
}
