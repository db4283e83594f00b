/**
 * Turning flag values into what the client takes. Problems with a value are InvalidArgumentErrors (exit 2,
 * one line); a malformed boolean is reported by commander itself, as a usage error.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError as UsageError } from 'commander';
import type { RuntimeStatus } from '../core/history.js';
import { InvalidArgumentError } from '../errors.js';
import { parseDate, parseRuntimeStatuses } from '../client/validation.js';

/** `--input` / `--event-data`: inline JSON, or `@path/to/file.json` (relative to `cwd`), as Core Tools. */
export function readJsonArgument(flag: string, value: string, cwd: string): unknown {
  if (!value.startsWith('@')) return parseJson(value, `${flag} is not valid JSON (a string must be quoted, e.g. '"text"')`);
  const relativePath = value.slice(1);
  if (relativePath === '') throw new InvalidArgumentError(`${flag} '@' needs a file path after the '@', e.g. @input.json`);
  const path = resolve(cwd, relativePath);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`cannot read the ${flag} file '${path}': ${describeFileError(error)}`);
  }
  // Editors on Windows often save JSON with a byte order mark, which JSON.parse refuses.
  return parseJson(text.replace(/^\uFEFF/, ''), `the ${flag} file '${path}' is not valid JSON`);
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
