/**
 * Turning flag values into what the client takes. Problems with a value are InvalidArgumentErrors (exit 2,
 * one line); a malformed boolean is reported by commander itself, as a usage error.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError as UsageError } from 'commander';
import type { ListOrder } from '../backend/backend.js';
import type { RuntimeStatus } from '../core/history.js';
import { parseTagArguments, type Tags } from '../core/tags.js';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../limits.js';
import { parseDate, parseRuntimeStatuses } from '../client/validation.js';

/** `--input` / `--event-data`: inline JSON, or `@path/to/file.json` (relative to `cwd`), as Core Tools. */
export function readJsonArgument(flag: string, value: string, cwd: string): unknown {
  if (!value.startsWith('@')) return parseJson(value, `${flag} is not valid JSON (a string must be quoted, e.g. '"text"')`);
  const relativePath = value.slice(1);
  if (relativePath === '') throw new InvalidArgumentError(`${flag} '@' needs a file path after the '@', e.g. @input.json`);
  const path = resolve(cwd, relativePath);
  // As the HTTP API's body limit: twice the payload limit, which applies to the compact JSON.
  const text = readSmallFile(path, `the ${flag} file`, 2 * DEFAULT_MAX_PAYLOAD_BYTES);
  // Editors on Windows often save JSON with a byte order mark, which JSON.parse refuses.
  return parseJson(text.replace(/^\uFEFF/, ''), `the ${flag} file '${path}' is not valid JSON`);
}

/**
 * A regular file's text, of at most `maxBytes`. Anything else is refused before it is read: a FIFO would
 * block until some writer came, `/dev/zero` would never end. Opened non-blocking, so a FIFO cannot hold
 * the open either, and checked on the open file, so the path cannot be swapped in between.
 */
export function readSmallFile(path: string, what: string, maxBytes: number): string {
  const cannotRead = (reason: string) => new InvalidArgumentError(`cannot read ${what} '${path}': ${reason}`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw cannotRead(describeFileError(error));
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw cannotRead('it is a directory');
    if (!stats.isFile()) throw cannotRead('it is not a regular file (a FIFO, a device or a socket); save the content to a file first');
    if (stats.size > maxBytes) throw cannotRead(`it is larger than ${maxBytes} bytes`);
    // One byte more than allowed tells a file that grew after fstat from one that fits.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw cannotRead(`it is larger than ${maxBytes} bytes`);
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    if (error instanceof TypeError) throw cannotRead('it is not UTF-8 text');
    throw cannotRead(describeFileError(error));
  } finally {
    closeSync(fd);
  }
}

function parseJson(text: string, problem: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${problem}: ${(error as Error).message}`);
  }
}

function describeFileError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return (error as Error).message;
  }
}

/** Core Tools' `--show-input true`: the value is `true` or `false` (any case); the flag alone means true. */
export function parseBooleanFlag(value: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`expected 'true' or 'false'`);
}

export function parseWholeNumber(flag: string, value: string, min: number, max: number): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max} (got '${value}')`);
  }
  return number;
}

export function parseSeconds(flag: string, value: string, max: number): number {
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 0 && seconds <= max)) throw new InvalidArgumentError(`${flag} must be a number of seconds from 0 to ${max} (got '${value}')`);
  return seconds;
}

export function parseOptionalDate(flag: string, value: string | undefined): Date | undefined {
  return value === undefined ? undefined : parseDate(flag, value);
}

/** `--runtime-status running completed` (several, any case; commas work too). */
export function parseOptionalStatuses(values: readonly string[] | undefined): RuntimeStatus[] | undefined {
  if (values === undefined) return undefined;
  const statuses = parseRuntimeStatuses(values);
  if (statuses.length === 0) throw new InvalidArgumentError('--runtime-status needs at least one status name');
  return statuses;
}

/** `--order-by oldest|newest` (any letter case). */
export function parseListOrder(value: string | undefined): ListOrder | undefined {
  if (value === undefined) return undefined;
  const order = value.toLowerCase();
  if (order !== 'oldest' && order !== 'newest') throw new InvalidArgumentError(`--order-by is oldest or newest, not ${JSON.stringify(value)}`);
  return order;
}

/** Commander's collector for a repeatable option (`--tag a:1 --tag b:2`). */
export function collectRepeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--tag key:value`, repeatable: a start's tags, or a filter every tag must match. */
export function parseOptionalTags(values: readonly string[] | undefined): Tags | undefined {
  return values === undefined ? undefined : parseTagArguments(values, '--tag');
}
