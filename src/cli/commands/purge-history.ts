/**
 * `taskhub purge-history` (func durable purge-history): deletes every finished instance that matches the
 * filters (none: every finished instance) and prints {"instancesDeleted": N}; a progress bar on a terminal
 * when it runs long.
 */
import type { Command } from 'commander';
import type { PurgeFilter, TaskHubClient } from '../../client/client.js';
import { OPERATIONS, statesText } from '../../client/operations.js';
import type { CliIo } from '../io.js';
import { collectRepeated, parseOptionalDate, parseOptionalStatuses, parseOptionalTags } from '../inputs.js';
import { writeJson } from '../output.js';
import { withProgress } from '../progress.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface PurgeHistoryFlags extends StoreFlags {
  createdAfter?: string;
  createdBefore?: string;
  runtimeStatus?: string[];
  tag?: string[];
}

export function purgeHistoryCommand(program: Command, io: CliIo): void {
  const command = program
    .command('purge-history')
    .description(`delete finished instances (${statesText(OPERATIONS.purge.allowedFrom)}) with their history; prints {"instancesDeleted":N}`)
    .option('--created-after <date>', 'only instances created at or after this ISO 8601 date')
    .option('--created-before <date>', 'only instances created at or before this ISO 8601 date')
    .option('--runtime-status <status...>', 'only these finished statuses, e.g. failed terminated (default all three)')
    .option('--tag <key:value>', 'only instances with this tag; repeat for several, all must match (beyond func durable)', collectRepeated);
  addStoreOptions(command).action(async (flags: PurgeHistoryFlags) => {
    const filter: PurgeFilter = {
      createdTimeFrom: parseOptionalDate('--created-after', flags.createdAfter),
      createdTimeTo: parseOptionalDate('--created-before', flags.createdBefore),
      runtimeStatus: parseOptionalStatuses(flags.runtimeStatus),
      tags: parseOptionalTags(flags.tag),
    };
    const result = await withClient(io, flags, async (client) => {
      if (!io.stderr.isTTY) return client.purgeInstanceHistoryBy(filter);
      const total = await countMatching(client, filter);
      return withProgress(client.purgeInstanceHistoryBy(filter), {
        stream: io.stderr,
        label: 'Purging',
        total,
        readDone: async () => total - (await countMatching(client, filter)),
      });
    });
    writeJson(io.stdout, result);
  });
}

async function countMatching(client: TaskHubClient, filter: PurgeFilter): Promise<number> {
  const statuses = filter.runtimeStatus ?? [...OPERATIONS.purge.allowedFrom];
  const counts = await client.countInstances({ ...filter, runtimeStatus: statuses });
  return statuses.reduce((sum, status) => sum + counts[status], 0);
}
