// Copies the .sql files under src/ next to their compiled modules in dist/src/, which read them at run
// time (src/backend/postgres/sql/index.ts). Part of `npm run build`.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

function sqlFiles(directory) {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sqlFiles(path);
    return path.endsWith('.sql') ? [path] : [];
  });
}

for (const file of sqlFiles('src')) {
  const target = join('dist', file);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
