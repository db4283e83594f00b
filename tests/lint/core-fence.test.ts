/** The replay engine's purity is enforced by lint (eslint.config.js, coreRestrictions): these probes must be rejected in src/core. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

/** The repository root: the nearest folder above this file with eslint.config.js (works from tests/ and dist/tests/). */
function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'eslint.config.js'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('eslint.config.js not found above the test');
    directory = parent;
  }
  return directory;
}

const root = repositoryRoot();
const { coreRestrictions } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as { coreRestrictions: Linter.Config };
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, coreRestrictions],
});

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return result!.messages.map((message) => message.message);
}

describe('the src/core purity fence', () => {
  const clock = /reads the clock|can read the clock/;
  const forbidden: [string, RegExp][] = [
    ['export const t = Date.now();', /Time comes from the history/i],
    ["export const t = Date['now']();", /Time comes from the history/i],
    ['export const d = new Date();', /reads the clock/],
    ['export const d = Date();', /Date\(\) reads the clock/],
    ['const D = Date; export const t = D.now();', clock],
    ['const { now } = Date; export const t = now();', clock],
    ['export const t = globalThis.Date.now();', /No global object/],
    ['export const t = global.Date.now();', /No global object/],
    ['export const t = window.Date.now();', /No global object/],
    ['export const t = self.Date.now();', /No global object/],
    ['export const r = Math.random();', /newGuid/],
    ['const M = Math; export const r = M.random();', /newGuid/],
    ['const { random } = Math; export const r = random();', /newGuid/],
    ['export const id = globalThis.crypto.randomUUID();', /No global object/],
    ['export const id = crypto.randomUUID();', /No randomness/],
    ['export const t = performance.now();', /No clock/],
    ['export const t = new Intl.DateTimeFormat().format();', /No clock/],
    ['export const t = Temporal.Now.instant();', /No clock/],
    ['queueMicrotask(() => {});', /No scheduling/],
    ['setTimeout(() => {}, 1);', /Durable timers/],
    ['setInterval(() => {}, 1);', /No timers/],
    ['setImmediate(() => {});', /No scheduling/],
    ['export const p = process.env.X;', /No process access/],
    ["export const f = eval('Date.now()');", /No evaluated code/],
    ["export const f = new Function('return Date.now()');", /No evaluated code/],
    ["export const fs = await import('node:fs');", /dynamic import/],
    ["import { readFileSync } from 'node:fs'; export const f = readFileSync;", /no Node.js modules/],
    ["import { readFileSync } from 'fs'; export const f = readFileSync;", /no Node.js modules/],
    ["import { performance } from 'perf_hooks'; export const p = performance;", /no Node.js modules/],
    ["import Database from 'better-sqlite3'; export const D = Database;", /no packages/],
    ["import { loadConfig } from '../config.js'; export const c = loadConfig;", /nothing else from src/],
    ["import { Worker } from '../runtime/worker.js'; export const w = Worker;", /nothing else from src/],
    ["import { x } from './inner/../../config.js'; export const c = x;", /nothing else from src/],
    ["export { readFileSync } from 'node:fs';", /no Node.js modules/],
    ["export * from '../config.js';", /nothing else from src/],
  ];
  for (const [code, message] of forbidden) {
    it(`rejects ${code}`, async () => {
      const found = await problems(code, 'src/core/fence-probe.ts');
      assert.ok(found.some((text) => message.test(text)), `expected ${String(message)}, got ${JSON.stringify(found)}`);
    });
  }

  it('allows the same code outside src/core, and deterministic code inside it', async () => {
    assert.deepEqual(await problems('export const t = Date.now();', 'src/runtime/fence-probe.ts'), []);
    const deterministic = [
      "export const d = new Date('2026-01-01T00:00:00Z');",
      "export const t = Date.parse('2026-01-01T00:00:00Z') + Date.UTC(2026, 0);",
      'export const isDate = (value: unknown): value is Date => value instanceof Date;',
      'export const n = Math.floor(2.5) + Math.ceil(0.5);',
      "import { toJson } from './serialize.js'; import { InvalidArgumentError } from '../errors.js'; export const used = [toJson, InvalidArgumentError];",
      "import type { JsonText } from './history.js'; export type Text = JsonText;",
      'export function shadowed(Date: { now(): number }): number { return Date.now(); }',
    ];
    for (const code of deterministic) assert.deepEqual(await problems(code, 'src/core/fence-probe.ts'), [], code);
  });
});
