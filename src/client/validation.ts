/**
 * Checks of caller input shared by the client, the HTTP API and the CLI, so all three reject the same
 * things with the same message (docs/reliability.md, T22).
 */
import { RUNTIME_STATUSES, type RuntimeStatus } from '../core/history.js';
import { printable, validateName } from '../core/names.js';
import { InvalidArgumentError } from '../errors.js';
import type { ListOrder } from '../backend/backend.js';

export { escapeCodePoint, validateInstanceId, validateName } from '../core/names.js';

/** Task hub names: a letter, then letters, digits, '-' or '_'; at most 64 characters. */
export function validateHubName(hub: unknown): string {
  if (typeof hub !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(hub)) {
    throw new InvalidArgumentError(
      `task hub name '${printable(String(hub))}' is invalid: it must start with a letter and use only letters, digits, '-' and '_' (at most 64 characters)`,
    );
  }
  return hub;
}

/**
 * A text filter (the orchestrator name, the instance id prefix): empty means no filter. It holds what an
 * id or a name may hold, so a control character (NUL, which PostgreSQL cannot store in text) or a hidden
 * one is refused with a message on every store, where it could only ever match nothing.
 */
export function validateFilterText(what: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  return validateName(what, value);
}

/** Accepts status names in any letter case, as Core Tools does. */
export function parseRuntimeStatus(value: string): RuntimeStatus {
  const match = RUNTIME_STATUSES.find((status) => status.toLowerCase() === value.trim().toLowerCase());
  if (!match) throw new InvalidArgumentError(`unknown runtime status '${printable(value)}'; use one of ${RUNTIME_STATUSES.join(', ')}`);
  return match;
}

export function parseRuntimeStatuses(values: readonly string[]): RuntimeStatus[] {
  return [...new Set(values.flatMap((v) => v.split(',')).filter((v) => v.trim() !== '').map(parseRuntimeStatus))];
}

const ISO_DATE =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?:[T ](?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.\d{1,9})?)?(?<offset>Z|[+-](?<offsetHours>\d{2}):?(?<offsetMinutes>\d{2}))?)?$/i;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ISO 8601 dates (a date alone, or date and time; without an offset, UTC). */
export function parseDate(what: string, value: string): Date {
  const text = value.trim();
  const fields = ISO_DATE.exec(text)?.groups;
  if (!fields) {
    throw new InvalidArgumentError(`${what} '${printable(value)}' is not an ISO 8601 date such as 2026-01-31 or 2026-01-31T12:00:00Z`);
  }
  // Date would roll 2026-02-30 over to March 2 and take 24:00 for the next midnight: check the fields as typed.
  const impossible = impossibleField(fields);
  if (impossible) throw new InvalidArgumentError(`${what} '${printable(value)}' is not a valid date: ${impossible}`);
  const date = new Date(text.length > 10 && fields.offset === undefined ? `${text.replace(' ', 'T')}Z` : text);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`${what} '${printable(value)}' is not a valid date`);
  return date;
}

/** Which typed field is out of range, if any; the offset's own fields included. */
function impossibleField(fields: Record<string, string | undefined>): string | undefined {
  const year = Number(fields.year);
  const month = Number(fields.month);
  const day = Number(fields.day);
  if (month < 1 || month > 12) return 'the month must be 01 to 12';
  const days = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${fields.year} has ${days} days`;
  const limits: [field: string | undefined, label: string, largest: number][] = [
    [fields.hour, 'hour', 23],
    [fields.minute, 'minute', 59],
    [fields.second, 'second', 59],
    [fields.offsetHours, 'offset hour', 23],
    [fields.offsetMinutes, 'offset minute', 59],
  ];
  for (const [field, label, largest] of limits) {
    if (field !== undefined && Number(field) > largest) return `the ${label} must be 00 to ${largest}`;
  }
  return undefined;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * A runtimeStatus filter as given by a caller, who may be plain JavaScript: an unknown name would match
 * nothing and read as "no such instances", so it is refused as on the HTTP API and the CLI (any letter case).
 */
export function validateRuntimeStatuses(value: unknown): RuntimeStatus[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgumentError('runtimeStatus must be an array of runtime status names');
  return value.map((name: unknown) => {
    if (typeof name !== 'string') throw new InvalidArgumentError(`runtimeStatus must hold runtime status names, not ${typeof name}s`);
    return parseRuntimeStatus(name);
  });
}

const LIST_ORDERS: readonly ListOrder[] = ['oldest', 'newest'];

export function validateListOrder(value: unknown): ListOrder | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(LIST_ORDERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`the list order must be ${LIST_ORDERS.join(' or ')}, not ${JSON.stringify(value)}`);
  }
  return value as ListOrder;
}

export function validateDate(what: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${what} must be a valid Date`);
  return value;
}
