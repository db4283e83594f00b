/**
 * T21/T22 for the CLI: generated command lines (every subcommand and flag, with hostile values: bad JSON,
 * huge and non-numbers, control characters, lone surrogates, unknown flags, duplicates) always end with
 * exit 0, 1 or 2, never a stack trace, an `error: …` line on failure, and no state change on rejection.
 * Runs the program in-process: hundreds of command lines, one process each, would be slow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TaskHubClient } from '../../src/index.js';
import { openBackend } from '../../src/backend/open.js';
import type { Backend } from '../../src/backend/backend.js';
import { runInProcess } from './in-process.js';

const IDS = ['seed-1', 'seed-2', "a'b", 'x; DROP TABLE t', 'a/b', '@x', ''];

/** UTF-16 code units, lone surrogates and control characters included. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 40 });

const hostile = fc.oneof(
  anyText,
  fc.constantFrom('', '-1', '0', 'NaN', '1e309', '99999999999999999999', '2.5', 'yes', '@', '@missing.json', '@.', '{"a":', '2021-13-45'),
);

/** Mostly plausible values for each flag, sometimes hostile ones. */
function valueFor(flag: string): fc.Arbitrary<string> {
  const plausible: Record<string, fc.Arbitrary<string>> = {
    '--function-name': fc.constantFrom('HelloWorld', 'Approval', 'NoSuchOrchestrator'),
    '--id': fc.constantFrom(...IDS),
    '--input': fc.oneof(fc.json({ maxDepth: 2 }), fc.constant('@valid.json')),
    '--event-data': fc.oneof(fc.json({ maxDepth: 2 }), fc.constant('@valid.json')),
    '--event-name': fc.oneof(fc.constant('Approval'), anyText),
    '--reason': anyText,
    '--show-input': fc.constantFrom('true', 'false', 'TRUE'),
    '--show-output': fc.constantFrom('true', 'false'),
    '--new-instance-id': fc.constantFrom('true', 'false'),
    '--created-after': fc.constantFrom('2021-03-10T13:57:31Z', '2021-03-10', '2021-11-14T19:35:00.0000000Z', '2999-01-01T00:00+02:00'),
    '--created-before': fc.constantFrom('2021-03-10T23:59Z', '2999-12-31', '2021-11-14 19:35:00'),
    '--top': fc.integer({ min: 1, max: 1000 }).map(String),
    '--continuation-token': fc.oneof(fc.constant(''), fc.base64String({ maxLength: 24 })),
    '--instance-id-prefix': fc.oneof(fc.constantFrom('seed', "a'"), anyText),
    '--name': fc.oneof(fc.constant('Approval'), anyText),
    '--timeout': fc.constant('0'),
    '--task-hub-name': fc.constantFrom('FuzzHub', 'OtherHub', 'bad hub', '9lives'),
    '--connection-string-setting': fc.constantFrom('TASKHUB_STORAGE', 'UNSET_SETTING'),
  };
  return fc.oneof({ weight: 6, arbitrary: plausible[flag] ?? anyText }, { weight: 1, arbitrary: hostile });
}

const STATUS_VALUES = fc.array(fc.oneof(fc.constantFrom('running', 'Completed', 'failed', 'TERMINATED', 'pending,terminated'), hostile), { minLength: 1, maxLength: 3 });

const COMMON = ['--task-hub-name', '--connection-string-setting'];
const COMMANDS: Record<string, { required: string[]; optional: string[]; switches?: string[] }> = {
  'start-new': { required: ['--function-name'], optional: ['--input', '--id'] },
  'get-runtime-status': { required: ['--id'], optional: [], switches: ['--show-input', '--show-output'] },
  'get-history': { required: ['--id'], optional: [] },
  'get-instances': { required: [], optional: ['--created-after', '--created-before', '--runtime-status', '--top', '--continuation-token', '--instance-id-prefix', '--name'], switches: ['--show-input'] },
  terminate: { required: ['--id'], optional: ['--reason'], switches: ['--recursive'] },
  'raise-event': { required: ['--id', '--event-name'], optional: ['--event-data'] },
  rewind: { required: ['--id'], optional: ['--reason'] },
  suspend: { required: ['--id'], optional: ['--reason'] },
  resume: { required: ['--id'], optional: ['--reason'] },
  restart: { required: ['--id'], optional: [], switches: ['--new-instance-id'] },
  'purge-instance': { required: ['--id'], optional: [] },
  'purge-history': { required: [], optional: ['--created-after', '--created-before', '--runtime-status'] },
  'delete-task-hub': { required: [], optional: [] },
};

function flagArgs(flag: string, weightPresent: number): fc.Arbitrary<string[]> {
  const present =
    flag === '--runtime-status'
      ? STATUS_VALUES.map((values) => [flag, ...values])
      : valueFor(flag).map((text) => [flag, text]);
  return fc.oneof({ weight: weightPresent, arbitrary: present }, { weight: 10 - weightPresent, arbitrary: fc.constant<string[]>([]) });
}

function switchArgs(flag: string): fc.Arbitrary<string[]> {
  return fc.oneof(fc.constant<string[]>([]), fc.constant<string[]>([flag]), valueFor(flag).map((text) => [flag, text]));
}

const noise = fc.oneof(
  { weight: 12, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: fc.constantFrom(['--colour', 'red'], ['-x'], ['extra'], ['--id=a/b'], ['--top=0'], ['--help']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('--id', '--input', '--top', '--runtime-status'), anyText).map((pair) => [...pair]) },
);

const commandLine: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 1, arbitrary: fc.array(anyText, { maxLength: 3 }) },
  {
    weight: 12,
    arbitrary: fc.constantFrom(...Object.keys(COMMANDS)).chain((command) => {
      const spec = COMMANDS[command]!;
      const parts = [
        ...spec.required.map((flag) => flagArgs(flag, 9)),
        ...[...spec.optional, ...COMMON].map((flag) => flagArgs(flag, 3)),
        ...(spec.switches ?? []).map(switchArgs),
        noise,
      ];
      return fc.tuple(...parts).map((groups) => [command, ...groups.flat()]);
    }),
  },
);

describe('taskhub under generated command lines (T21)', () => {
  let directory: string;
  let backend: Backend;
  let client: TaskHubClient;
  let env: NodeJS.ProcessEnv;
  const hub = 'FuzzHub';

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'taskhub-cli-fuzz-'));
    writeFileSync(join(directory, 'valid.json'), '{"ok":true}');
    env = { TASKHUB_STORAGE: `sqlite:${join(directory, 'fuzz.db')}`, TASKHUB_HUB: hub };
    backend = await openBackend(env.TASKHUB_STORAGE!);
    await backend.migrate();
    client = new TaskHubClient({ backend, hub });
  });
  after(async () => {
    await backend.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function snapshot(): Promise<string> {
    const statuses = [];
    for await (const status of client.listAllInstances({ showInput: true })) {
      statuses.push([status.instanceId, status.runtimeStatus, status.input, status.lastUpdatedTime]);
    }
    const messages = await backend.nextWakeAt(hub);
    return JSON.stringify([statuses, messages]);
  }

  it('exits 0, 1 or 2 with one error line and no stack trace, and changes nothing when it rejects the input', async () => {
    const exitCodes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(commandLine, async (generated) => {
        if ((await client.getStatus('seed-1')) === undefined) await client.startNew('Approval', { instanceId: 'seed-1' });
        // terminate waits for a worker, and none runs here.
        const args = generated[0] === 'terminate' ? [...generated, '--timeout', '0'] : generated;
        const before = await snapshot();
        const result = await runInProcess(args, { env, cwd: directory });

        assert.ok(result.code === 0 || result.code === 1 || result.code === 2, `exit code ${result.code}`);
        exitCodes.set(result.code, (exitCodes.get(result.code) ?? 0) + 1);
        assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
        assert.ok(result.stderr.isWellFormed(), 'no lone surrogates written');
        if (result.code !== 0) {
          assert.equal(result.stdout, '', 'nothing on stdout after a failure');
          assert.match(result.stderr, /^error: \S/, 'an error line first');
          if (result.code === 1) assert.equal(result.stderr.split('\n').length, 2, 'exactly one line');
        }
        if (result.code === 2) assert.equal(await snapshot(), before, 'a rejected command line changes nothing');
      }),
      { numRuns: 1000 },
    );
    for (const code of [0, 1, 2]) assert.ok((exitCodes.get(code) ?? 0) > 0, `some command lines exit ${code}: ${JSON.stringify([...exitCodes])}`);
  });
});
