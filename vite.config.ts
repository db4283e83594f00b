/**
 * Builds the dashboard (src/dashboard) into dist/dashboard, which the server serves (src/http/dashboard-files.ts).
 * Part of `npm run build`; everything it needs comes from node_modules, so it builds offline.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/dashboard', import.meta.url)),
  // Absolute: the same page answers at / and at /instances/{id}.
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Every browser the dashboard supports has modulepreload; the polyfill would be script the CSP must allow.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  logLevel: 'warn',
});
