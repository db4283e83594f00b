/**
 * `taskhub count` (beyond func durable): how many instances there are in each runtime status, with
 * get-instances' filters; prints a JSON object with every status (0 when none) and the total.
 */
import type { Command } from 'commander';
import { RUNTIME_STATUSES } from '../../core/history.js';
import type { CliIo } from '../io.js';
import { collectRepeated, parseOptionalDate, parseOptionalStatuses, parseOptionalTags } from '../inputs.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface CountFlags extends StoreFlags {
  createdAfter?: string;
  createdBefore?: string;
  runtimeStatus?: string[];
  instanceIdPrefix?: string;
  name?: string;
  tag?: string[];
}

export function countCommand(program: Command, io: CliIo): void {
  const command = program
    .command('count')
    .description('count instances per runtime status; prints {"Pending":0,"Running":2,…,"total":N}')
    .option('--created-after <date>', 'only instances created at or after this ISO 8601 date (UTC unless it has an offset)')
    .option('--created-before <date>', 'only instances created at or before this ISO 8601 date')
    .option('--runtime-status <status...>', 'only these statuses, e.g. running pending (any letter case)')
    .option('--instance-id-prefix <prefix>', 'only instance ids starting with this')
    .option('--name <orchestrator>', 'only instances of this orchestrator')
    .option('--tag <key:value>', 'only instances with this tag; repeat for several, all must match', collectRepeated);
  addStoreOptions(command).action(async (flags: CountFlags) => {
    const filter = {
      createdTimeFrom: parseOptionalDate('--created-after', flags.createdAfter),
      createdTimeTo: parseOptionalDate('--created-before', flags.createdBefore),
      runtimeStatus: parseOptionalStatuses(flags.runtimeStatus),
      instanceIdPrefix: flags.instanceIdPrefix,
      name: flags.name,
      tags: parseOptionalTags(flags.tag),
    };
    const counts = await withClient(io, flags, (client) => client.countInstances(filter));
    const shown = filter.runtimeStatus ?? RUNTIME_STATUSES;
    const total = shown.reduce((sum, status) => sum + counts[status], 0);
    writeJson(io.stdout, { ...Object.fromEntries(shown.map((status) => [status, counts[status]])), total });
  });
}
