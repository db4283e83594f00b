/**
 * The logger the runtime writes to. Any object with info/warn/error fits (console-style: a message, then
 * values formatted as console.log does); `child` and `debug` are optional. taskhub's own is pino
 * (src/logging/pino-logger.ts); `consoleLogger` and `silentLogger` are the plain ones.
 */
export interface Logger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  /** Detail that is off by default (each request, each finished instance). */
  debug?(message: string, ...args: unknown[]): void;
  /** A logger whose lines also carry `fields`; loggers without it get them as a last argument (withFields). */
  child?(fields: LogFields): Logger;
}

/** What a line is about, beyond its message: the instance, its execution, the activity task, the worker. */
export interface LogFields {
  instanceId?: string;
  executionId?: string;
  taskId?: number;
  workerId?: string;
  [field: string]: unknown;
}

/**
 * `logger` with `fields` on every line: its own child() when it has one; else the fields go after the
 * message's values as one last argument, so a console-style logger prints them and the message stays as
 * it was for a logger that reads only the message.
 */
export function withFields(logger: Logger, fields: LogFields): Logger {
  if (logger.child) return logger.child(fields);
  return {
    info: (message, ...args) => logger.info(message, ...args, fields),
    warn: (message, ...args) => logger.warn(message, ...args, fields),
    error: (message, ...args) => logger.error(message, ...args, fields),
    debug: (message, ...args) => logger.debug?.(message, ...args, fields),
    child: (more) => withFields(logger, { ...fields, ...more }),
  };
}

export const consoleLogger: Logger = {
  info: (message, ...args) => console.log(`[taskhub] ${message}`, ...args),
  warn: (message, ...args) => console.warn(`[taskhub] ${message}`, ...args),
  error: (message, ...args) => console.error(`[taskhub] ${message}`, ...args),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
