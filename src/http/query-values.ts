/** Query values with the same rules as the CLI and the library: ISO 8601 dates, status names in any case. */
import type { RuntimeStatus } from '../core/history.js';
import { parseDate, parseRuntimeStatuses } from '../client/validation.js';
import { parseTagArguments, type Tags } from '../core/tags.js';

export function optionalDate(name: string, value: string | undefined): Date | undefined {
  return value === undefined ? undefined : parseDate(name, value);
}

/** `runtimeStatus=Running,Pending` or the parameter repeated; an empty list means no filter. */
export function optionalStatuses(values: string[] | undefined): RuntimeStatus[] | undefined {
  return values === undefined ? undefined : parseRuntimeStatuses(values);
}

/** `tag=key:value`, repeatable; none means no tags. */
export function optionalTags(values: string[] | undefined): Tags | undefined {
  return values === undefined ? undefined : parseTagArguments(values);
}
