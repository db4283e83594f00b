/** `taskhub suspend` and `taskhub resume` (beyond func durable): pause an instance and let it go on. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface ReasonFlags extends StoreFlags {
  id: string;
  reason?: string;
}

export function suspendCommand(program: Command, io: CliIo): void {
  const command = program
    .command('suspend')
    .description('suspend a Pending or Running instance: it makes no progress until resumed')
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--reason <text>', 'why');
  addStoreOptions(command).action(async (flags: ReasonFlags) => {
    await withClient(io, flags, (client) => client.suspend(flags.id, flags.reason));
    writeLine(io.stdout, `Suspension of instance '${flags.id}' queued.`);
  });
}

export function resumeCommand(program: Command, io: CliIo): void {
  const command = program
    .command('resume')
    .description('resume a Suspended instance')
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--reason <text>', 'why');
  addStoreOptions(command).action(async (flags: ReasonFlags) => {
    await withClient(io, flags, (client) => client.resume(flags.id, flags.reason));
    writeLine(io.stdout, `Resumption of instance '${flags.id}' queued.`);
  });
}
