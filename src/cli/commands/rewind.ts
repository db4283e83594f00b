/** `taskhub rewind` (func durable rewind): a Failed instance runs its failed work again. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface RewindFlags extends StoreFlags {
  id: string;
  reason?: string;
}

export function rewindCommand(program: Command, io: CliIo): void {
  const command = program
    .command('rewind')
    .description('rewind a Failed instance: its failed activities and sub-orchestrations run again')
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--reason <text>', 'why');
  addStoreOptions(command).action(async (flags: RewindFlags) => {
    await withClient(io, flags, (client) => client.rewind(flags.id, flags.reason));
    writeLine(io.stdout, `Rewind of instance '${flags.id}' queued.`);
  });
}
