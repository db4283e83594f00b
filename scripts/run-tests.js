// Runs every compiled test file (dist/tests/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.js [substring…]  — only files whose path contains one of the substrings.
// Folders in EXPLICIT_ONLY run only when a substring names them (`npm run test:chaos`), never in `npm test`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

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
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
