/**
 * Loading the user's app module for `taskhub serve`: JavaScript as it is, TypeScript through the app's own
 * tsx (its ESM loader hook, `tsx/esm/api`), found from the module's folder as the app's imports would be.
 * taskhub does not bring a compiler: an app without tsx is told how to get one, or to compile.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Registry } from '../authoring/registry.js';
import { InvalidArgumentError } from '../errors.js';

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** The app module's Registry: its `registry` export, else its default export. */
export async function loadRegistry(appModule: string): Promise<Registry> {
  const path = resolve(process.cwd(), appModule);
  if (TYPESCRIPT_EXTENSIONS.has(extname(path))) await registerTypeScriptLoader(appModule, path);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    // A JavaScript module importing a .ts file: Node alone cannot load it.
    const hint = (error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION' ? ' (serve the TypeScript entry module itself, with tsx installed in the app, or compile the app)' : '';
    throw new InvalidArgumentError(`cannot load the app module '${appModule}': ${(error as Error).message}${hint}`);
  }
  const registry = [module.registry, module.default].find(isRegistry);
  if (!registry) {
    throw new InvalidArgumentError(`the app module '${appModule}' exports no Registry: export one as \`registry\` or as the default export`);
  }
  return registry;
}

interface TsxApi {
  register(): unknown;
}

let tsxRegistered = false;

async function registerTypeScriptLoader(appModule: string, path: string): Promise<void> {
  if (tsxRegistered) return;
  const api = tsxEsmApi(path);
  if (api === undefined) {
    throw new InvalidArgumentError(
      `the app module '${appModule}' is TypeScript, and tsx is not installed where it can be found: ` +
        'install it in your app (npm install --save-dev tsx) and serve the .ts file again, or compile the app (tsc) and serve the .js',
    );
  }
  const tsx = (await import(pathToFileURL(api).href)) as Partial<TsxApi>;
  if (typeof tsx.register !== 'function') {
    throw new InvalidArgumentError(`the tsx found for '${appModule}' (${api}) has no register(): use tsx 4 or later`);
  }
  tsx.register();
  tsxRegistered = true;
}

/**
 * The ES module build of `tsx/esm/api` that the app would import: found through tsx's package.json from the
 * app's folder (require.resolve would give the CommonJS build, which cannot find its own files once loaded
 * from elsewhere).
 */
function tsxEsmApi(appPath: string): string | undefined {
  let manifestPath: string;
  try {
    manifestPath = createRequire(appPath).resolve('tsx/package.json');
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
  const entry = manifest.exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  return file === undefined ? undefined : join(dirname(manifestPath), file);
}

/** Duck-typed: the app may import taskhub from another copy of the package than the server's. */
function isRegistry(value: unknown): value is Registry {
  const candidate = value as Partial<Record<keyof Registry, unknown>> | null | undefined;
  return typeof candidate?.getOrchestrator === 'function' && typeof candidate.getActivity === 'function' && typeof candidate.hasOrchestrator === 'function';
}
