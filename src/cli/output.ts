/** What the commands print: JSON for machines on stdout, plain lines for people. */
import { escapeCodePoint } from '../client/validation.js';
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

/**
 * Text safe for one terminal line: control characters (newlines too), lone surrogates, and the invisible
 * or bidirectional formatting characters that would hide or reorder what follows, escaped as \uXXXX.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(/[\p{Cc}\p{Cs}\p{Cf}\p{Zl}\p{Zp}]/gu, escapeCodePoint);
}
