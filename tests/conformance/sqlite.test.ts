/** The backend conformance suite (taskhub/testing) on a real SQLite file in a fresh temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteBackend } from '../../src/backend/sqlite/index.js';
// By the package's name, as a store of its own would: the suite is what `taskhub/testing` exports.
import { runBackendConformance } from 'taskhub/testing';

const directory = mkdtempSync(join(tmpdir(), 'taskhub-conformance-'));
after(() => rmSync(directory, { recursive: true, force: true }));

runBackendConformance('sqlite', async () => new SqliteBackend({ path: join(directory, 'nested', 'store.db') }));
