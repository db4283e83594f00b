/**
 * `taskhub count` (beyond func durable): how many instances there are in each runtime status, with
 * get-instances' filters; prints a JSON object with every status (0 when none) and the total.
 */
import type { Command } from 'commander';
import { RUNTIME_STATUSES } from '../../core/history.js';
import type { CliIo } from '../io.js';
import { addFilterOptions, filterOf, type FilterFlags } from '../filter-options.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface CountFlags extends StoreFlags, FilterFlags {}

export function countCommand(program: Command, io: CliIo): void {
  const command = addFilterOptions(program.command('count').description('count instances per runtime status; prints {"Pending":0,"Running":2,…,"total":N}'));
  addStoreOptions(command).action(async (flags: CountFlags) => {
    const filter = filterOf(flags);
    const counts = await withClient(io, flags, (client) => client.countInstances(filter));
    const shown = filter.runtimeStatus ?? RUNTIME_STATUSES;
    const total = shown.reduce((sum, status) => sum + counts[status], 0);
    writeJson(io.stdout, { ...Object.fromEntries(shown.map((status) => [status, counts[status]])), total });
  });
}
