/**
 * `taskhub serve <app-module>` (beyond func durable): a worker for the app's orchestrators and activities
 * plus the HTTP management API, in one process, until SIGINT or SIGTERM. Prints the URL on stdout; logs
 * go to stderr.
 */
import { resolve } from 'node:path';
import { format } from 'node:util';
import { Option, type Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, serve } from '../../http/serve.js';
import type { Logger } from '../../runtime/logger.js';
import { DEFAULT_MAX_HISTORY_EVENTS } from '../../limits.js';
import type { CliIo } from '../io.js';
import { parseWholeNumber, readSmallFile } from '../inputs.js';
import { InvalidArgumentError } from '../../errors.js';
import { writeLine } from '../output.js';
import { addStoreOptions, resolveStore, type StoreFlags } from '../store.js';

interface ServeFlags extends StoreFlags {
  port?: string;
  host: string;
  apiKey?: string;
  apiKeyFile?: string;
  insecure?: boolean;
  embedKeyInUrls?: boolean;
  maxPayloadBytes?: string;
  maxHistoryEvents?: string;
}

const MAX_PAYLOAD_LIMIT = 1024 * 1024 * 1024;
const MAX_HISTORY_LIMIT = 1_000_000_000;

export function serveCommand(program: Command, io: CliIo): void {
  const command = program
    .command('serve')
    .description('run a worker for the app and the HTTP management API until Ctrl+C; prints the URL')
    .argument('<app-module>', 'the app module (JavaScript), exporting its Registry as `registry` or as the default export')
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
    );
  addStoreOptions(command).action(async (appModule: string, flags: ServeFlags) => {
    const { connectionString, hub } = resolveStore(io, flags);
    // Listening before the URL is printed: whoever reads it may signal at once.
    const stop = listenForStopSignal();
    try {
      const running = await serve({
        appModule: resolve(io.cwd, appModule),
        port: parsePort(flags.port, io.env.PORT),
        host: flags.host,
        hub,
        connectionString,
        apiKey: readApiKey(flags, io),
        insecure: flags.insecure ?? false,
        embedKeyInUrls: flags.embedKeyInUrls ?? false,
        maxPayloadBytes:
          flags.maxPayloadBytes === undefined ? undefined : parseWholeNumber('--max-payload-bytes', flags.maxPayloadBytes, 1, MAX_PAYLOAD_LIMIT),
        maxHistoryEvents:
          flags.maxHistoryEvents === undefined ? undefined : parseWholeNumber('--max-history-events', flags.maxHistoryEvents, 1, MAX_HISTORY_LIMIT),
        logger: stderrLogger(io),
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

function parsePort(flag: string | undefined, fromEnvironment: string | undefined): number {
  if (flag !== undefined) return parseWholeNumber('--port', flag, 0, 65535);
  if (fromEnvironment?.trim()) return parseWholeNumber('the PORT environment variable', fromEnvironment, 0, 65535);
  return DEFAULT_PORT;
}

/** `received` resolves on the first SIGINT or SIGTERM; a second one then ends the process at once (the default). */
function listenForStopSignal(): { received: Promise<void>; dispose(): void } {
  let onSignal = () => {};
  const received = new Promise<void>((resolveStop) => (onSignal = resolveStop));
  const dispose = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const stop = () => {
    dispose();
    onSignal();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { received, dispose };
}

function stderrLogger(io: CliIo): Logger {
  const write = (message: string, args: unknown[]) => io.stderr.write(`[taskhub] ${format(message, ...args)}\n`);
  return { info: (message, ...args) => write(message, args), warn: (message, ...args) => write(message, args), error: (message, ...args) => write(message, args) };
}
