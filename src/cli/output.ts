/** What the commands print: JSON for machines on stdout, plain lines for people. */
import type { OutputStream } from './io.js';

export function writeJson(stream: OutputStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeLine(stream: OutputStream, text: string): void {
  stream.write(`${text}\n`);
}

/** Core Tools' last line of `get-instances`; the token is empty on the last page. */
export function continuationTokenLine(token: string | undefined): string {
  return `Continuation token for next set of results: '${token ?? ''}'`;
}

/** Text safe for one terminal line: control characters (newlines too) and lone surrogates escaped as \uXXXX. */
export function escapeForTerminal(text: string): string {
  return text.replace(/[\p{Cc}\p{Cs}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
