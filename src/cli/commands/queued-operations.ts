/**
 * The commands of the operations that queue one message on an instance with an optional reason, one per
 * `queued` row of the operations table (src/client/operations.ts), each saying what it queued: `taskhub
 * rewind` (func durable rewind), and `suspend` / `resume` (beyond func durable).
 */
import type { Command } from 'commander';
import { OPERATION_LIST, type ManagementOperation } from '../../client/operations.js';
import type { CliIo } from '../io.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface ReasonFlags extends StoreFlags {
  id: string;
  reason?: string;
}

export function queuedOperationCommands(program: Command, io: CliIo): void {
  for (const operation of OPERATION_LIST) if (operation.queued) addQueuedCommand(program, io, operation, operation.queued);
}

function addQueuedCommand(program: Command, io: CliIo, operation: ManagementOperation, queued: NonNullable<ManagementOperation['queued']>): void {
  const command = program
    .command(operation.command.name)
    .description(operation.command.description)
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--reason <text>', 'why');
  addStoreOptions(command).action(async (flags: ReasonFlags) => {
    await withClient(io, flags, (client) => queued.send(client, flags.id, flags.reason));
    // "Rewind of instance 'x' queued."
    writeLine(io.stdout, `${queued.noun} of instance '${flags.id}' queued.`);
  });
}
