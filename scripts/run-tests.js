// Runs every compiled test file (dist/tests/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.js [substring…]  — only files whose path contains one of the substrings.
// Folders in EXPLICIT_ONLY run only when a substring names them (`npm run test:chaos`), never in `npm test`.
// The HTTP and CLI suites run once per store under test (TASKHUB_TEST_STORES, default every kind in
// src/backend/store-kinds.ts).
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { STORE_KIND_NAMES } from '../dist/src/backend/store-kinds.js';

const root = 'dist/tests';
const filters = process.argv.slice(2);
/** chaos-pg stops and starts the shared PostgreSQL server, which would break every other test running. */
const EXPLICIT_ONLY = ['chaos-pg'];

function collect(directory) {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return collect(path);
    return path.endsWith('.test.js') ? [path] : [];
  });
}

function selected(file) {
  const path = relative(root, file);
  const guarded = EXPLICIT_ONLY.find((folder) => path.split(sep).includes(folder));
  if (guarded && !filters.some((filter) => filter.includes(guarded))) return false;
  return filters.length === 0 || filters.some((filter) => path.includes(filter));
}

const files = collect(root).filter(selected).sort();
if (files.length === 0) {
  console.error(`no test files found under ${root}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
/** Every store kind in the registry (src/backend/store-kinds.ts), or those TASKHUB_TEST_STORES names. */
const wantedStores = process.env.TASKHUB_TEST_STORES?.split(',').map((s) => s.trim());
const stores = STORE_KIND_NAMES.filter((kind) => wantedStores === undefined || wantedStores.includes(kind));
/** Suites that run on one store per process (TASKHUB_TEST_STORE): the first pass runs them on the first
 *  store with everything else, and one more pass per other store runs them again. */
const SINGLE_STORE = ['http', 'cli'];
const onSingleStore = (file) => SINGLE_STORE.includes(relative(root, file).split(sep)[0]);

const passes = [{ store: stores[0] ?? 'sqlite', files }];
for (const store of stores.slice(1)) {
  const matrixFiles = files.filter(onSingleStore);
  if (matrixFiles.length > 0) passes.push({ store, files: matrixFiles });
}

const totals = { passed: 0, failed: 0 };
let status = 0;
for (const pass of passes) {
  if (passes.length > 1) console.log(`# taskhub: ${pass.files.length} test files with TASKHUB_TEST_STORE=${pass.store}`);
  const code = await runPass(pass);
  if (code !== 0) status = code;
}
if (passes.length > 1) console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(status);

/** One run of node's test runner, its output passed through and its closing counts added up. */
function runPass({ store, files: passFiles }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...passFiles], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TASKHUB_TEST_STORE: store },
    });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) count(line);
    });
    child.on('close', (code, signal) => {
      count(pending);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function count(line) {
  const match = /^# (pass|fail) (\d+)$/.exec(line);
  if (match) totals[match[1] === 'pass' ? 'passed' : 'failed'] += Number(match[2]);
}
