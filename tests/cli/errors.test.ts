/**
 * S-CLI errors through the real binary: one `error: …` line on stderr, never a stack trace; exit 1 when
 * the operation failed, 2 for usage and input errors (usage errors also print the command's usage).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEntry, createCliStore, nodeArgs, runTaskhub, type CliResult, type CliStore } from './cli-harness.js';

const STACK_FRAME = /^\s+at /m;

function assertOneLineError(result: CliResult, code: number, message: RegExp | string): void {
  assert.equal(result.code, code, `exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '');
  assert.doesNotMatch(result.stderr, STACK_FRAME);
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 2, `one line: ${result.stderr}`);
  const line = lines[0]!;
  assert.ok(line.startsWith('error: '), line);
  if (typeof message === 'string') assert.equal(line, `error: ${message}`);
  else assert.match(line, message);
}

function assertUsageError(result: CliResult, command: string, message: RegExp): void {
  assert.equal(result.code, 2, `exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '');
  assert.doesNotMatch(result.stderr, STACK_FRAME);
  assert.match(result.stderr.split('\n')[0]!, message);
  assert.match(result.stderr, new RegExp(`Usage: taskhub ${command} \\[options\\]`));
}

const REQUIRED_FLAGS: [string, string[], string][] = [
  ['start-new', [], '--function-name <name>'],
  ['get-runtime-status', [], '--id <instance-id>'],
  ['get-history', [], '--id <instance-id>'],
  ['terminate', [], '--id <instance-id>'],
  ['raise-event', ['--event-name', 'E'], '--id <instance-id>'],
  ['raise-event', ['--id', 'x'], '--event-name <name>'],
  ['rewind', [], '--id <instance-id>'],
  ['suspend', [], '--id <instance-id>'],
  ['resume', [], '--id <instance-id>'],
  ['restart', [], '--id <instance-id>'],
  ['purge-instance', [], '--id <instance-id>'],
];

describe('taskhub usage errors (exit 2, with the usage)', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  for (const [command, args, flag] of REQUIRED_FLAGS) {
    it(`${command} without ${flag.split(' ')[0]}`, async () => {
      const result = await cli.run([command, ...args]);
      assertUsageError(result, command, new RegExp(`^error: required option '${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' not specified$`));
    });
  }

  it('an unknown command', async () => {
    const result = await cli.run(['start-old']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: unknown command 'start-old'/);
    assert.doesNotMatch(result.stderr, STACK_FRAME);
  });

  it('an unknown flag', async () => {
    assertUsageError(await cli.run(['get-instances', '--colour', 'red']), 'get-instances', /^error: unknown option '--colour'/);
  });

  it('a flag without its value', async () => {
    const hub = ['--task-hub-name', cli.hub];
    assertUsageError(await cli.run(['get-runtime-status', ...hub, '--id']), 'get-runtime-status', /^error: option '--id <instance-id>' argument missing$/);
    assertUsageError(await cli.run(['get-instances', ...hub, '--runtime-status']), 'get-instances', /^error: option '--runtime-status <status...>' argument missing$/);
  });

  it('a boolean flag that is neither true nor false', async () => {
    const result = await cli.run(['get-runtime-status', '--id', 'x', '--show-input', 'yes']);
    assertUsageError(result, 'get-runtime-status', /^error: option '--show-input \[true\|false\]' argument 'yes' is invalid\. expected 'true' or 'false'$/);
    assertUsageError(await cli.run(['restart', '--id', 'x', '--new-instance-id', 'maybe']), 'restart', /argument 'maybe' is invalid/);
  });

  it('an extra argument', async () => {
    assertUsageError(await cli.run(['get-instances', 'everything']), 'get-instances', /^error: too many arguments/);
  });

  it('no command at all prints the overview on stderr', async () => {
    const result = await runTaskhub([]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: missing command\n\nUsage: taskhub \[options\] \[command\]/);
  });
});

describe('taskhub input errors (exit 2, one line)', () => {
  let cli: CliStore;
  before(async () => {
    cli = await createCliStore();
    mkdirSync(join(cli.directory, 'a-directory'));
    writeFileSync(join(cli.directory, 'broken.json'), '{ "total": ');
    await cli.client.startNew('Approval', { instanceId: 'waiting' });
  });
  after(() => cli.close());

  it('malformed JSON in --input and --event-data, inline or in a file', async () => {
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', 'Tokyo']), 2, /^error: --input is not valid JSON \(a string must be quoted, e\.g\. '"text"'\): /);
    assertOneLineError(await cli.run(['raise-event', '--id', 'waiting', '--event-name', 'Approval', '--event-data', '{nope']), 2, /^error: --event-data is not valid JSON/);
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@broken.json']), 2, /^error: the --input file '.*broken\.json' is not valid JSON: /);
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '']), 2, /^error: --input is not valid JSON/);
  });

  it('an unreadable @file: missing, a directory, or no path at all', async () => {
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@missing.json']), 2, /^error: cannot read the --input file '.*missing\.json': no such file$/);
    assertOneLineError(await cli.run(['raise-event', '--id', 'waiting', '--event-name', 'Approval', '--event-data', '@a-directory']), 2, /^error: cannot read the --event-data file '.*a-directory': it is a directory$/);
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@']), 2, "--input '@' needs a file path after the '@', e.g. @input.json");
  });

  it('an @file that is not a small regular file is refused before it is read: a FIFO, /dev/zero, /dev/full, too large, not UTF-8', async () => {
    execFileSync('mkfifo', [join(cli.directory, 'a-fifo')]);
    writeFileSync(join(cli.directory, 'too-large.json'), Buffer.alloc(2 * 1024 * 1024 + 1, 0x20));
    writeFileSync(join(cli.directory, 'latin1.json'), Buffer.from([0x22, 0xe9, 0x22]));
    const notRegular = /: it is not a regular file \(a FIFO, a device or a socket\); save the content to a file first$/;
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@a-fifo']), 2, notRegular);
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@/dev/zero']), 2, notRegular);
    assertOneLineError(await cli.run(['raise-event', '--id', 'waiting', '--event-name', 'Approval', '--event-data', '@/dev/full']), 2, notRegular);
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@too-large.json']), 2, /too-large\.json': it is larger than 2097152 bytes$/);
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--input', '@latin1.json']), 2, /latin1\.json': it is not UTF-8 text$/);
    const listed = await cli.client.listInstances();
    assert.deepEqual(listed.instances.map((s) => s.instanceId), ['waiting'], 'nothing was created');
  });

  it('a bad date', async () => {
    assertOneLineError(await cli.run(['get-instances', '--created-after', 'yesterday']), 2, /^error: --created-after 'yesterday' is not an ISO 8601 date/);
    assertOneLineError(await cli.run(['purge-history', '--created-before', '2021-13-45']), 2, /^error: --created-before '2021-13-45' is not a valid date: the month must be 01 to 12$/);
    assertOneLineError(await cli.run(['get-instances', '--created-after', '2026-02-30']), 2, /^error: --created-after '2026-02-30' is not a valid date: February 2026 has 28 days$/);
  });

  it('a bad status name, and purging statuses that are not finished', async () => {
    assertOneLineError(await cli.run(['get-instances', '--runtime-status', 'running', 'sleeping']), 2, /^error: unknown runtime status 'sleeping'; use one of Pending, Running/);
    assertOneLineError(await cli.run(['purge-history', '--runtime-status', 'running']), 2, 'only Completed, Failed or Terminated instances can be purged, not Running');
    assert.equal((await cli.client.getStatus('waiting'))?.runtimeStatus, 'Pending');
  });

  it('bad numbers: --top and --timeout', async () => {
    for (const top of ['0', '1001', 'ten', '-1', '1e3', '2.5']) {
      assertOneLineError(await cli.run(['get-instances', '--top', top]), 2, `--top must be a whole number from 1 to 1000 (got '${top}')`);
    }
    assertOneLineError(await cli.run(['terminate', '--id', 'waiting', '--timeout', 'soon']), 2, "--timeout must be a number of seconds from 0 to 3600 (got 'soon')");
  });

  it('a malformed continuation token', async () => {
    assertOneLineError(await cli.run(['get-instances', '--continuation-token', 'not-a-token']), 2, /^error: the continuation token is malformed/);
  });

  it('forbidden instance ids are rejected the same way for every command (T22)', async () => {
    const forbidden = ['a/b', 'a\\b', '#', 'what?', '../x', '@x', 'a\u007fb', 'a\u009fb', 'tab\there', 'y'.repeat(257), '\u202Eevil', '\uFEFFbom', 'zero\u200Bwidth'];
    for (const id of forbidden) {
      assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--id', id]), 2, /^error: (an )?instance id /);
      assertOneLineError(await cli.run(['get-runtime-status', '--id', id]), 2, /^error: (an )?instance id /);
    }
    for (const command of [['terminate'], ['rewind'], ['suspend'], ['resume'], ['restart'], ['purge-instance'], ['get-history'], ['raise-event', '--event-name', 'E']]) {
      assertOneLineError(await cli.run([...command, '--id', 'a/b']), 2, /^error: instance id 'a\/b' contains the character '\/'/);
    }
    assertOneLineError(await cli.run(['start-new', '--function-name', 'HelloWorld', '--id', '']), 2, 'an instance id must be 1 to 256 characters long (got 0)');
    const listed = await cli.client.listInstances();
    assert.deepEqual(listed.instances.map((s) => s.instanceId), ['waiting'], 'nothing was created');
  });

  it('forbidden event names, orchestrator names and task hub names', async () => {
    assertOneLineError(await cli.run(['raise-event', '--id', 'waiting', '--event-name', 'bell\u0007']), 2, /^error: an event name 'bell\\u0007' contains a control character/);
    assertOneLineError(await cli.run(['start-new', '--function-name', '']), 2, /^error: an orchestrator name must be a string of 1 to 256 characters$/);
    assertOneLineError(await cli.run(['raise-event', '--id', 'waiting', '--event-name', 'Appro\u202Eval']), 2, "an event name 'Appro\\u202eval' contains an invisible or bidirectional formatting character (U+202E)");
    assertOneLineError(await cli.run(['start-new', '--function-name', 'Hello\u200BWorld']), 2, "an orchestrator name 'Hello\\u200bWorld' contains an invisible or bidirectional formatting character (U+200B)");
    assertOneLineError(await cli.run(['get-instances', '--task-hub-name', 'Hub\u202E']), 2, /^error: task hub name 'Hub\\u202e' is invalid/);
    assertOneLineError(await cli.run(['get-instances', '--task-hub-name', "x'; DROP TABLE instances"]), 2, /^error: task hub name .* is invalid/);
  });

  it('an unset --connection-string-setting, or an unsupported connection string', async () => {
    assertOneLineError(await cli.run(['get-instances', '--connection-string-setting', 'NO_SUCH_SETTING']), 2, "the connection string setting 'NO_SUCH_SETTING' is not set: set the environment variable NO_SUCH_SETTING");
    const mysql = await cli.run(['get-instances'], { env: { TASKHUB_STORAGE: 'mysql://root:secret@db/x' } });
    assertOneLineError(mysql, 2, /^error: unsupported storage connection string 'mysql:\/\/root:\*\*\*@db\/x'/);
    assert.doesNotMatch(mysql.stderr, /secret/);
  });
});

describe('taskhub output failures', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  it('output that cannot be written (stdout on a full disk) is one line on stderr and exit 1; the command ran', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [...nodeArgs, cliEntry, 'start-new', '--function-name', 'HelloWorld', '--id', 'output-lost', '--task-hub-name', cli.hub], {
        cwd: cli.directory,
        env: { ...process.env, TASKHUB_STORAGE: cli.store.storage, TASKHUB_DEBUG: undefined },
        stdio: ['ignore', full, 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise((resolve) => child.once('close', resolve));
      assertOneLineError({ code: code as number, stdout: '', stderr }, 1, 'cannot write the output to stdout: no space left on the device; the command itself ran');
    } finally {
      closeSync(full);
    }
    assert.equal((await cli.client.getStatus('output-lost'))?.runtimeStatus, 'Pending');
  });
});

describe('taskhub never prints a connection string\'s secret, whatever the form', () => {
  // Each secret starts with Zq9, which appears nowhere else; PostgreSQL URLs point at port 1, which refuses.
  const FORMS: [string, number][] = [
    ['postgres://u:Zq9p@Zq9ss@127.0.0.1:1/db', 1],
    ["postgres://u:Zq9it's\"quoted@127.0.0.1:1/db", 1],
    ['postgres://u:Zq9 with space@127.0.0.1:1/db', 1],
    ['postgres://:Zq9-no-user@127.0.0.1:1/db', 1],
    ['postgres://u:Zq9sl/ash@127.0.0.1:1/db', 2],
    ['mysql://root:Zq9p@Zq9ss@db/x', 2],
    ['Server=db;Database=app;User Id=sa;Password=Zq9 hunter2;', 2],
    ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zq9c2VjcmV0PT0=;EndpointSuffix=core.windows.net', 2],
    ["host=db user=u password='Zq9 quoted' dbname=app", 2],
  ];
  for (const [connectionString, code] of FORMS) {
    it(connectionString, async () => {
      for (const debug of [undefined, '1']) {
        const result = await runTaskhub(['get-instances'], { env: { TASKHUB_STORAGE: connectionString, TASKHUB_DEBUG: debug } });
        assert.equal(result.code, code, result.stderr);
        assert.match(result.stderr, /^error: .*\*\*\*/);
        assert.doesNotMatch(result.stderr, /Zq9/, `TASKHUB_DEBUG=${debug}: ${result.stderr}`);
      }
    });
  }
});

describe('taskhub operation failures (exit 1, one line)', () => {
  let cli: CliStore;
  before(async () => {
    cli = await createCliStore();
    await cli.client.startNew('Approval', { instanceId: 'pending' });
  });
  after(() => cli.close());

  it('an unknown instance, for every command that takes one', async () => {
    const message = "no instance with id 'ghost' in this task hub";
    for (const command of [
      ['get-runtime-status'],
      ['get-history'],
      ['terminate'],
      ['raise-event', '--event-name', 'Approval'],
      ['rewind'],
      ['suspend'],
      ['resume'],
      ['restart'],
      ['purge-instance'],
    ]) {
      assertOneLineError(await cli.run([...command, '--id', 'ghost']), 1, message);
    }
  });

  it('the wrong state', async () => {
    assertOneLineError(await cli.run(['rewind', '--id', 'pending']), 1, "cannot rewind instance 'pending': it is Pending, and only Failed instances can be");
    assertOneLineError(await cli.run(['purge-instance', '--id', 'pending']), 1, "cannot purge instance 'pending': it is Pending, and only Completed, Failed or Terminated instances can be");
    assertOneLineError(await cli.run(['restart', '--id', 'pending', '--new-instance-id', 'false']), 1, /^error: cannot restart under the same id instance 'pending': it is Pending/);
    assert.equal((await cli.client.getStatus('pending'))?.runtimeStatus, 'Pending');
  });

  it('terminate gives up after --timeout when no worker makes the instance Terminated', async () => {
    const result = await cli.run(['terminate', '--id', 'pending', '--reason', 'stop', '--timeout', '0.5']);
    assertOneLineError(
      result,
      1,
      `instance 'pending' did not reach Terminated within 0.5 s (it is Pending); the termination stays queued: is a worker running for task hub '${cli.hub}'?`,
    );
  });

  it('a store that cannot be used: one line and a hint; the stack only with TASKHUB_DEBUG=1', async () => {
    const env = { TASKHUB_STORAGE: `sqlite:${cli.directory}` };
    const plain = await cli.run(['get-instances'], { env });
    assertOneLineError(plain, 1, /^error: cannot use the store sqlite:.+: .+ \(set TASKHUB_DEBUG=1 to see the stack trace\)$/);
    const debug = await cli.run(['get-instances'], { env: { ...env, TASKHUB_DEBUG: '1' } });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, STACK_FRAME);
  });
});

describe('taskhub --help', () => {
  let cli: CliStore;
  before(async () => (cli = await createCliStore()));
  after(() => cli.close());

  const FLAGS: Record<string, string[]> = {
    'start-new': ['--function-name', '--input', '--id'],
    'get-runtime-status': ['--id', '--show-input', '--show-output'],
    'get-history': ['--id'],
    'get-instances': ['--created-after', '--created-before', '--runtime-status', '--top', '--continuation-token', '--instance-id-prefix', '--name', '--show-input'],
    terminate: ['--id', '--reason', '--recursive', '--timeout'],
    'raise-event': ['--id', '--event-name', '--event-data'],
    rewind: ['--id', '--reason'],
    suspend: ['--id', '--reason'],
    resume: ['--id', '--reason'],
    restart: ['--id', '--new-instance-id'],
    'purge-instance': ['--id'],
    'purge-history': ['--created-after', '--created-before', '--runtime-status'],
    'delete-task-hub': [],
    serve: ['--port', '--host', '--api-key-file', '--insecure', '--embed-key-in-urls', '--max-payload-bytes', '--max-history-events'],
  };

  for (const [command, flags] of Object.entries(FLAGS)) {
    it(`${command} --help lists its flags and the common ones`, async () => {
      const result = await cli.run([command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: taskhub ${command} \\[options\\]`));
      for (const flag of [...flags, '--connection-string-setting', '--task-hub-name']) assert.ok(result.stdout.includes(`${flag} `), `${command}: ${flag}`);
      assert.match(result.stdout, /Exit codes:\n {2}0 {2}success/, `${command}: exit codes`);
    });
  }

  it('marks the required flags', async () => {
    // Commander wraps long descriptions: compare with the white space folded.
    const help = async (command: string) => (await cli.run([command, '--help'])).stdout.replace(/\s+/g, ' ');
    const raiseEvent = await help('raise-event');
    assert.ok(raiseEvent.includes('--id <instance-id> the instance id (required)'), raiseEvent);
    assert.ok(raiseEvent.includes('--event-name <name> the event name the orchestrator waits for (required)'), raiseEvent);
    assert.doesNotMatch(raiseEvent, /--event-data .*\(required\).* --connection-string-setting/);
    assert.ok((await help('start-new')).includes('--function-name <name> the orchestrator to start (required)'));
  });

  it('help for an unknown command is a usage error with its own line', async () => {
    const result = await cli.run(['help', 'nosuch']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: unknown command 'nosuch'\n\nUsage: taskhub /);
  });

  it('taskhub --help lists every command and the exit codes', async () => {
    const result = await cli.run(['--help']);
    assert.equal(result.code, 0);
    for (const command of Object.keys(FLAGS)) assert.ok(result.stdout.includes(`  ${command} `), command);
    assert.match(result.stdout, /Exit codes:\n {2}0 {2}success\n {2}1 {2}the operation failed.*\n {2}2 {2}usage or input error/);
  });
});
