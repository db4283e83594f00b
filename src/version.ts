/** taskhub's version, from its package.json (through the package's own name, wherever it is installed). */
import { createRequire } from 'node:module';

export const VERSION = (createRequire(import.meta.url)('taskhub/package.json') as { version: string }).version;
