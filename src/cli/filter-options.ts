/** The instance filter that `count` and `batch` take as flags, and its parsing into the client's filter. */
import type { Command } from 'commander';
import type { InstanceFilter } from '../client/options.js';
import { collectRepeated, parseOptionalDate, parseOptionalStatuses, parseOptionalTags } from './inputs.js';

export interface FilterFlags {
  createdAfter?: string;
  createdBefore?: string;
  runtimeStatus?: string[];
  instanceIdPrefix?: string;
  name?: string;
  tag?: string[];
}

export function addFilterOptions(command: Command): Command {
  return command
    .option('--created-after <date>', 'only instances created at or after this ISO 8601 date (UTC unless it has an offset)')
    .option('--created-before <date>', 'only instances created at or before this ISO 8601 date')
    .option('--runtime-status <status...>', 'only these statuses, e.g. running pending (any letter case)')
    .option('--instance-id-prefix <prefix>', 'only instance ids starting with this')
    .option('--name <orchestrator>', 'only instances of this orchestrator')
    .option('--tag <key:value>', 'only instances with this tag; repeat for several, all must match', collectRepeated);
}

export function filterOf(flags: FilterFlags): InstanceFilter {
  return {
    createdTimeFrom: parseOptionalDate('--created-after', flags.createdAfter),
    createdTimeTo: parseOptionalDate('--created-before', flags.createdBefore),
    runtimeStatus: parseOptionalStatuses(flags.runtimeStatus),
    instanceIdPrefix: flags.instanceIdPrefix,
    name: flags.name,
    tags: parseOptionalTags(flags.tag),
  };
}
