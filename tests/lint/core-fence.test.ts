/** The replay engine's purity is enforced by lint (DESIGN.md lesson 2): these probes must be rejected in src/core. */
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
  const forbidden: [string, RegExp][] = [
    ['export const t = Date.now();', /Time comes from the history/],
    ['export const d = new Date();', /reads the clock/],
    ['export const r = Math.random();', /newGuid/],
    ["import { readFileSync } from 'node:fs'; export const f = readFileSync;", /no Node.js modules/],
    ['setTimeout(() => {}, 1);', /Durable timers/],
    ['export const p = process.env.X;', /No process access/],
    ["import { Worker } from '../runtime/worker.js'; export const w = Worker;", /depends on nothing outside itself/],
  ];
  for (const [code, message] of forbidden) {
    it(`rejects ${code}`, async () => {
      const found = await problems(code, 'src/core/fence-probe.ts');
      assert.ok(found.some((text) => message.test(text)), `expected ${String(message)}, got ${JSON.stringify(found)}`);
    });
  }

  it('allows the same code outside src/core, and deterministic code inside it', async () => {
    assert.deepEqual(await problems('export const t = Date.now();', 'src/runtime/fence-probe.ts'), []);
    assert.deepEqual(await problems("export const d = new Date('2026-01-01T00:00:00Z');", 'src/core/fence-probe.ts'), []);
  });
});
