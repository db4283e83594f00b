/**
 * taskhub's logger: pino (fastify's own, ADR 0016) behind the Logger interface. Lines go to stderr by
 * default: one JSON object per line for log collectors, or, on a terminal, one readable line per event
 * (pino-pretty): `12:00:01.250 WARN activity 'Boom' failed: Error: boom  instanceId=a1 taskId=0`.
 */
import { format } from 'node:util';
import { pino, type Logger as Pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { InvalidArgumentError } from '../errors.js';
import type { LogFields, Logger } from '../runtime/logger.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
/** The environment variable `--log-level` defaults to. */
export const LOG_LEVEL_VARIABLE = 'TASKHUB_LOG_LEVEL';

export interface LogDestination {
  write(text: string): unknown;
  /** A terminal gets readable lines, anything else JSON. */
  isTTY?: boolean;
}

export interface PinoLoggerOptions {
  /** Default: TASKHUB_LOG_LEVEL, else info. */
  level?: string;
  /** Default: the process's stderr. */
  destination?: LogDestination;
  /** Default: `pretty` on a terminal, `json` otherwise. */
  format?: 'pretty' | 'json';
  /** Colours in pretty lines (default: on a terminal, unless NO_COLOR is set). */
  colorize?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The fields shown first on a readable line, in this order; others follow in the order they were added. */
const LEADING_FIELDS = ['instanceId', 'executionId', 'taskId', 'workerId'];
/** pino's own keys, never shown as fields. */
const OWN_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export function createPinoLogger(options: PinoLoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const level = parseLogLevel(options.level ?? env[LOG_LEVEL_VARIABLE], options.level === undefined ? LOG_LEVEL_VARIABLE : 'the log level');
  const destination = options.destination ?? process.stderr;
  const pretty = (options.format ?? (destination.isTTY ? 'pretty' : 'json')) === 'pretty';
  const stream = pretty ? prettyStream(destination, options.colorize ?? (destination.isTTY === true && !env.NO_COLOR)) : destination;
  // Levels by name (`"level":"warn"`), which log collectors read without pino's number table.
  const formatters = { level: (label: string) => ({ level: label }) };
  return wrap(pino({ level, formatters }, { write: (line: string) => stream.write(line) }));
}

/** A level name (any letter case); a blank value means the default. */
export function parseLogLevel(value: string | undefined, source: string): LogLevel {
  const text = value?.trim().toLowerCase();
  if (!text) return DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`${source} must be one of ${LOG_LEVELS.join(', ')} (got '${value}')`);
  }
  return text as LogLevel;
}

function wrap(logger: Pino): Logger {
  // Console-style: the values after the message are formatted into it (pino alone would drop those
  // without a placeholder).
  const line = (message: string, args: unknown[]) => (args.length === 0 ? message : format(message, ...args));
  return {
    info: (message, ...args) => logger.info(line(message, args)),
    warn: (message, ...args) => logger.warn(line(message, args)),
    error: (message, ...args) => logger.error(line(message, args)),
    debug: (message, ...args) => logger.debug(line(message, args)),
    child: (fields: LogFields) => wrap(logger.child(fields)),
  };
}

function prettyStream(destination: LogDestination, colorize: boolean): LogDestination {
  const prettify = prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    hideObject: true,
    ignore: 'pid,hostname',
    messageFormat: (log, messageKey) => `${String(log[messageKey])}${fieldsText(log)}`,
  });
  return { write: (line: string) => destination.write(prettify(line)) };
}

/** `  instanceId=a1 taskId=0`: the line's fields, strings bare when they have no space, others as JSON. */
function fieldsText(log: Record<string, unknown>): string {
  const keys = Object.keys(log).filter((key) => !OWN_KEYS.has(key) && log[key] !== undefined);
  keys.sort((a, b) => rank(a) - rank(b));
  if (keys.length === 0) return '';
  const value = (v: unknown) => (typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v));
  return `  ${keys.map((key) => `${key}=${value(log[key])}`).join(' ')}`;
}

function rank(key: string): number {
  const index = LEADING_FIELDS.indexOf(key);
  return index === -1 ? LEADING_FIELDS.length : index;
}

let shared: Logger | undefined;

/** The logger of workers and servers given none: one per process, on stderr, at TASKHUB_LOG_LEVEL. */
export function defaultLogger(): Logger {
  shared ??= createPinoLogger();
  return shared;
}
