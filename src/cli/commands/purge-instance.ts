/** `taskhub purge-instance` (beyond func durable): deletes one finished instance and all its data. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface PurgeInstanceFlags extends StoreFlags {
  id: string;
}

export function purgeInstanceCommand(program: Command, io: CliIo): void {
  const command = program
    .command('purge-instance')
    .description('delete a Completed, Failed or Terminated instance with its history; prints {"instancesDeleted":1}')
    .requiredOption('--id <instance-id>', 'the instance id');
  addStoreOptions(command).action(async (flags: PurgeInstanceFlags) => {
    writeJson(io.stdout, await withClient(io, flags, (client) => client.purgeInstanceHistory(flags.id)));
  });
}
