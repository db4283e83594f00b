/** The logger the runtime writes to; console by default, silent in tests that ask for it. */
export interface Logger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export const consoleLogger: Logger = {
  info: (message, ...args) => console.log(`[taskhub] ${message}`, ...args),
  warn: (message, ...args) => console.warn(`[taskhub] ${message}`, ...args),
  error: (message, ...args) => console.error(`[taskhub] ${message}`, ...args),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
