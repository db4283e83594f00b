/**
 * The `taskhub` command: commander set-up, and how every outcome becomes an exit code (docs/cli.md):
 * 0 success; 1 the operation failed (not found, wrong state, finished, timeout, store unreachable);
 * 2 usage or input error. Errors are one `error: …` line on stderr, never a stack trace (unless
 * TASKHUB_DEBUG=1, for errors that are not the user's).
 */
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { TaskHubError, type TaskHubErrorCode } from '../errors.js';
import { redactSecrets } from '../secrets.js';
import type { CliIo } from './io.js';
import { OperationFailedError } from './failure.js';
import { escapeForTerminal } from './output.js';
import { startNewCommand } from './commands/start-new.js';
import { getRuntimeStatusCommand } from './commands/get-runtime-status.js';
import { getHistoryCommand } from './commands/get-history.js';
import { getInstancesCommand } from './commands/get-instances.js';
import { terminateCommand } from './commands/terminate.js';
import { raiseEventCommand } from './commands/raise-event.js';
import { queuedOperationCommands } from './commands/queued-operations.js';
import { restartCommand } from './commands/restart.js';
import { purgeInstanceCommand } from './commands/purge-instance.js';
import { purgeHistoryCommand } from './commands/purge-history.js';
import { deleteTaskHubCommand } from './commands/delete-task-hub.js';
import { serveCommand } from './commands/serve.js';
import { countCommand } from './commands/count.js';
import { batchCommand } from './commands/batch.js';
import { retentionCommand } from './commands/retention.js';
import { VERSION } from '../version.js';

const EXIT_SUCCESS = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const EXIT_CODES: Record<TaskHubErrorCode, number> = {
  INVALID_ARGUMENT: EXIT_USAGE,
  PAYLOAD_TOO_LARGE: EXIT_USAGE,
  UNKNOWN_ORCHESTRATOR: EXIT_USAGE,
  NOT_FOUND: EXIT_FAILED,
  INSTANCE_EXISTS: EXIT_FAILED,
  WRONG_STATE: EXIT_FAILED,
  INSTANCE_FINISHED: EXIT_FAILED,
  TIMEOUT: EXIT_FAILED,
  STORE_NOT_CREATED: EXIT_FAILED,
  STORE_BUSY: EXIT_FAILED,
};

const EXIT_CODE_HELP = `
Exit codes:
  0  success
  1  the operation failed: no such instance, wrong state, already finished, timed out, store unavailable
  2  usage or input error: unknown command or flag, missing flag, bad JSON, bad date, bad status name, unreadable @file

Every command works on the store directly; a running worker (e.g. \`taskhub serve app.js\`) does the work.`;

function createProgram(io: CliIo): Command {
  const program = new Command('taskhub')
    .description('Manage durable orchestrations in a taskhub store (the twin of `func durable …`)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander's messages quote what was typed, which may hold control characters.
      outputError: (text, write) => write(`${escapeForTerminal(text.trimEnd())}\n`),
    })
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODE_HELP);
  for (const add of [
    startNewCommand,
    getRuntimeStatusCommand,
    getHistoryCommand,
    getInstancesCommand,
    countCommand,
    terminateCommand,
    raiseEventCommand,
    queuedOperationCommands,
    restartCommand,
    purgeInstanceCommand,
    purgeHistoryCommand,
    batchCommand,
    retentionCommand,
    deleteTaskHubCommand,
    serveCommand,
  ]) {
    add(program, io);
  }
  for (const command of program.commands) {
    // Commander's help does not say which flags are required.
    for (const option of command.options) if (option.mandatory) option.description = `${option.description} (required)`;
    command.addHelpText('after', EXIT_CODE_HELP);
  }
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  if (argv.length === 0) {
    io.stderr.write('error: missing command\n\n');
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  const [first, helpTopic] = argv;
  if (first === 'help' && helpTopic !== undefined && !program.commands.some((command) => command.name() === helpTopic)) {
    io.stderr.write(`error: unknown command '${escapeForTerminal(helpTopic)}'\n\n`);
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_SUCCESS;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  // Commander has already printed its message and the command's usage.
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_SUCCESS;
    return error.code === 'commander.help' && error.exitCode === 0 ? EXIT_SUCCESS : EXIT_USAGE;
  }
  if (error instanceof TaskHubError) {
    io.stderr.write(`error: ${oneLine(error.message)}\n`);
    return EXIT_CODES[error.code];
  }
  if (error instanceof OperationFailedError) {
    io.stderr.write(`error: ${oneLine(error.message)}\n`);
    return EXIT_FAILED;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (io.env.TASKHUB_DEBUG === '1') {
    io.stderr.write(`error: ${oneLine(message)}\n${redactSecrets(inspect(error))}\n`);
  } else {
    io.stderr.write(`error: ${oneLine(message)} (set TASKHUB_DEBUG=1 to see the stack trace)\n`);
  }
  return EXIT_FAILED;
}

/** One line, without control characters or lone surrogates, and with any password in a connection string hidden. */
function oneLine(message: string): string {
  return escapeForTerminal(redactSecrets(message).replace(/\s*[\r\n]+\s*/g, ' '));
}
