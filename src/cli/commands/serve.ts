/**
 * `taskhub serve <app-module>` (beyond func durable): a worker for the app's orchestrators and activities
 * plus the HTTP management API, in one process, until SIGINT or SIGTERM. Prints the URL on stdout; logs
 * go to stderr. With `--watch`, a supervisor runs it in a child process and restarts it when the app's
 * files change (cli/watch.ts).
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, serve } from '../../http/serve.js';
import { createPinoLogger, LOG_LEVEL_VARIABLE, LOG_LEVELS, parseLogLevel } from '../../logging/pino-logger.js';
import type { Logger } from '../../runtime/logger.js';
import { InvalidArgumentError } from '../../errors.js';
import { DEFAULT_MAX_HISTORY_EVENTS } from '../../limits.js';
import type { CliIo } from '../io.js';
import { parseWholeNumber, readSmallFile } from '../inputs.js';
import { writeLine } from '../output.js';
import { addStoreOptions, resolveStore, type StoreFlags } from '../store.js';
import { superviseWithRestarts } from '../watch.js';

interface ServeFlags extends StoreFlags {
  port?: string;
  host: string;
  apiKey?: string;
  apiKeyFile?: string;
  insecure?: boolean;
  embedKeyInUrls?: boolean;
  maxPayloadBytes?: string;
  maxHistoryEvents?: string;
  logLevel?: string;
  logFormat?: string;
  logRequests?: boolean;
  watch?: string | boolean;
}

const MAX_PAYLOAD_LIMIT = 1024 * 1024 * 1024;
const MAX_HISTORY_LIMIT = 1_000_000_000;
const LOG_FORMATS = ['pretty', 'json'] as const;

export function serveCommand(program: Command, io: CliIo): void {
  const command = program
    .command('serve')
    .description('run a worker for the app and the HTTP management API until Ctrl+C; prints the URL')
    .argument('<app-module>', 'the app module (JavaScript, or TypeScript when the app has tsx), exporting its Registry as `registry` or as the default export')
    .option('--port <port>', `port to listen on, 0 for any free one (default: PORT, else ${DEFAULT_PORT})`)
    .option('--host <address>', 'address to listen on; beyond loopback an API key (or --insecure) is required', DEFAULT_HOST)
    .option('--api-key-file <path>', 'require the key this file holds (`code` query parameter or x-functions-key header); or set TASKHUB_API_KEY')
    // Refused with an explanation rather than as an unknown flag: a key in the arguments shows in `ps`.
    .addOption(new Option('--api-key <key>').hideHelp())
    .option('--insecure', 'listen beyond loopback without an API key')
    .option('--embed-key-in-urls', 'write the API key into the management URLs the API returns')
    .option('--max-payload-bytes <bytes>', 'largest input, output, event or custom status, in bytes of JSON')
    .option(
      '--max-history-events <events>',
      `an instance whose history would grow beyond this fails; a warning comes at a fifth of it (default: ${DEFAULT_MAX_HISTORY_EVENTS})`,
    )
    .option('--log-level <level>', `${LOG_LEVELS.join(', ')} (default: ${LOG_LEVEL_VARIABLE}, else info)`)
    .option('--log-format <format>', 'pretty (one readable line per event) or json (one object per line) (default: pretty on a terminal, else json)')
    .option('--log-requests', 'log one line per HTTP request')
    .option('--watch [folder]', "restart on a change of the app's files, after the work in hand is done (default folder: the app module's)");
  addStoreOptions(command).action(async (appModule: string, flags: ServeFlags) => {
    const logger = serverLogger(io, flags);
    const apiKey = readApiKey(flags, io);
    // Listening before the URL is printed: whoever reads it may signal at once.
    const stop = listenForStopSignal(logger);
    try {
      if (flags.watch !== undefined && flags.watch !== false) {
        const folder = resolve(io.cwd, typeof flags.watch === 'string' ? flags.watch : resolve(io.cwd, appModule, '..'));
        // The key travels in the environment: a command line is visible to every user of the machine.
        const env = apiKey === undefined ? io.env : { ...io.env, TASKHUB_API_KEY: apiKey };
        await superviseWithRestarts({ io: { ...io, env }, logger, folder, args: childArguments(appModule, flags, io), stopped: stop.received });
        return;
      }
      const { connectionString, hub } = resolveStore(io, flags);
      const running = await serve({
        appModule: resolve(io.cwd, appModule),
        port: parsePort(flags.port, io.env.PORT),
        host: flags.host,
        hub,
        connectionString,
        connectionName: flags.connectionStringSetting,
        apiKey,
        insecure: flags.insecure ?? false,
        embedKeyInUrls: flags.embedKeyInUrls ?? false,
        maxPayloadBytes:
          flags.maxPayloadBytes === undefined ? undefined : parseWholeNumber('--max-payload-bytes', flags.maxPayloadBytes, 1, MAX_PAYLOAD_LIMIT),
        maxHistoryEvents:
          flags.maxHistoryEvents === undefined ? undefined : parseWholeNumber('--max-history-events', flags.maxHistoryEvents, 1, MAX_HISTORY_LIMIT),
        requestLog: flags.logRequests ?? false,
        logger,
      });
      writeLine(io.stdout, running.url);
      await stop.received;
      await running.close();
    } finally {
      stop.dispose();
    }
  });
}

/** Characters a key may not hold: it is one line, sent in a header or a query parameter. */
const NOT_IN_A_KEY = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const MAX_KEY_FILE_BYTES = 4096;

/**
 * The API key from --api-key-file or TASKHUB_API_KEY (empty means unset, as for every taskhub variable),
 * never from the command line, where every user of the machine can read it (`ps`, /proc).
 */
function readApiKey(flags: ServeFlags, io: CliIo): string | undefined {
  if (flags.apiKey !== undefined) {
    throw new InvalidArgumentError(
      '--api-key is not accepted: a key in the command line is visible to every user of the machine (ps); put it in a file and pass --api-key-file <path>, or set TASKHUB_API_KEY',
    );
  }
  const fromEnvironment = io.env.TASKHUB_API_KEY?.trim() || undefined;
  if (flags.apiKeyFile === undefined) return fromEnvironment;
  if (fromEnvironment !== undefined) throw new InvalidArgumentError('both --api-key-file and TASKHUB_API_KEY are set: use one of them');
  const path = resolve(io.cwd, flags.apiKeyFile);
  const key = readSmallFile(path, 'the --api-key-file', MAX_KEY_FILE_BYTES).trim();
  if (key === '') throw new InvalidArgumentError(`the --api-key-file '${path}' is empty: write the key in it`);
  if (NOT_IN_A_KEY.test(key)) throw new InvalidArgumentError(`the --api-key-file '${path}' must hold the key alone, on one line, without control characters`);
  return key;
}

function serverLogger(io: CliIo, flags: ServeFlags): Logger {
  const format = flags.logFormat?.trim().toLowerCase();
  if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidArgumentError(`--log-format must be pretty or json (got '${flags.logFormat}')`);
  }
  return createPinoLogger({
    level: flags.logLevel === undefined ? undefined : parseLogLevel(flags.logLevel, '--log-level'),
    destination: io.stderr,
    format: format as (typeof LOG_FORMATS)[number] | undefined,
    env: io.env,
  });
}

/**
 * The child's command line under --watch: the same flags without --watch, and the log format decided here,
 * where the terminal is (the child's stderr is a pipe to this process).
 */
function childArguments(appModule: string, flags: ServeFlags, io: CliIo): string[] {
  const args = [resolve(io.cwd, appModule), '--host', flags.host];
  const pass: [string, string | undefined][] = [
    ['--port', flags.port],
    ['--max-payload-bytes', flags.maxPayloadBytes],
    ['--max-history-events', flags.maxHistoryEvents],
    ['--log-level', flags.logLevel],
    ['--log-format', flags.logFormat ?? (io.stderr.isTTY ? 'pretty' : 'json')],
    ['--connection-string-setting', flags.connectionStringSetting],
    ['--task-hub-name', flags.taskHubName],
  ];
  for (const [flag, value] of pass) if (value !== undefined) args.push(flag, value);
  for (const [flag, on] of [['--insecure', flags.insecure], ['--embed-key-in-urls', flags.embedKeyInUrls], ['--log-requests', flags.logRequests]] as const) {
    if (on) args.push(flag);
  }
  return args;
}

function parsePort(flag: string | undefined, fromEnvironment: string | undefined): number {
  if (flag !== undefined) return parseWholeNumber('--port', flag, 0, 65535);
  if (fromEnvironment?.trim()) return parseWholeNumber('the PORT environment variable', fromEnvironment, 0, 65535);
  return DEFAULT_PORT;
}

/**
 * Under `npx` (npm exec) a Ctrl+C reaches the server twice within milliseconds: from the terminal, and
 * forwarded by npm. Only a signal this long after the first is a second Ctrl+C, which stops at once.
 */
const REPEATED_SIGNAL_MS = 1000;

/** `received` resolves on the first SIGINT or SIGTERM; a second one, a while later, ends the process at once. */
function listenForStopSignal(logger: Logger): { received: Promise<void>; dispose(): void } {
  let onSignal = () => {};
  const received = new Promise<void>((resolveStop) => (onSignal = resolveStop));
  let firstAt: number | undefined;
  const dispose = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const stop = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      logger.info(`${signal} received: stopping (${signal === 'SIGINT' ? 'Ctrl+C' : 'SIGINT or SIGTERM'} again to stop at once)`);
      onSignal();
    } else if (Date.now() - firstAt >= REPEATED_SIGNAL_MS) {
      logger.warn(`${signal} received again: stopping at once; the work in hand is taken over by the next worker once its leases expire`);
      dispose();
      process.kill(process.pid, signal);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { received, dispose };
}
