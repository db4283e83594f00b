/** `taskhub purge-instance` (beyond func durable): deletes one finished instance and all its data. */
import type { Command } from 'commander';
import { OPERATIONS } from '../../client/operations.js';
import type { CliIo } from '../io.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface PurgeInstanceFlags extends StoreFlags {
  id: string;
}

export function purgeInstanceCommand(program: Command, io: CliIo): void {
  const command = program
    .command(OPERATIONS.purge.command.name)
    .description(OPERATIONS.purge.command.description)
    .requiredOption('--id <instance-id>', 'the instance id');
  addStoreOptions(command).action(async (flags: PurgeInstanceFlags) => {
    writeJson(io.stdout, await withClient(io, flags, (client) => client.purgeInstanceHistory(flags.id)));
  });
}
