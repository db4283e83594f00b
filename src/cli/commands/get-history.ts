/**
 * `taskhub get-history` (func durable get-history): the history as the HTTP API shows it (S-QUERY-4),
 * with inputs and results.
 */
import type { Command } from 'commander';
import { InstanceNotFoundError } from '../../errors.js';
import type { CliIo } from '../io.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface GetHistoryFlags extends StoreFlags {
  id: string;
}

export function getHistoryCommand(program: Command, io: CliIo): void {
  const command = program
    .command('get-history')
    .description("print an instance's history as a JSON array")
    .requiredOption('--id <instance-id>', 'the instance id');
  addStoreOptions(command).action(async (flags: GetHistoryFlags) => {
    const status = await withClient(io, flags, (client) => client.getStatus(flags.id, { showHistory: true, showHistoryOutput: true, showInput: true }), 'read');
    if (!status) throw new InstanceNotFoundError(flags.id);
    writeJson(io.stdout, status.history ?? []);
  });
}
