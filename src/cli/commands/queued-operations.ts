/**
 * The commands that queue one operation on an instance, with an optional reason, and say so:
 * `taskhub rewind` (func durable rewind), and `suspend` / `resume` (beyond func durable).
 */
import type { Command } from 'commander';
import type { TaskHubClient } from '../../client/client.js';
import type { CliIo } from '../io.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface ReasonFlags extends StoreFlags {
  id: string;
  reason?: string;
}

interface QueuedOperation {
  name: string;
  description: string;
  /** What is queued, for the confirmation: "Rewind of instance 'x' queued." */
  noun: string;
  run(client: TaskHubClient, instanceId: string, reason: string | undefined): Promise<unknown>;
}

function queuedOperationCommand(operation: QueuedOperation): (program: Command, io: CliIo) => void {
  return (program, io) => {
    const command = program
      .command(operation.name)
      .description(operation.description)
      .requiredOption('--id <instance-id>', 'the instance id')
      .option('--reason <text>', 'why');
    addStoreOptions(command).action(async (flags: ReasonFlags) => {
      await withClient(io, flags, (client) => operation.run(client, flags.id, flags.reason));
      writeLine(io.stdout, `${operation.noun} of instance '${flags.id}' queued.`);
    });
  };
}

export const rewindCommand = queuedOperationCommand({
  name: 'rewind',
  description: 'rewind a Failed instance: its failed activities and sub-orchestrations run again',
  noun: 'Rewind',
  run: (client, id, reason) => client.rewind(id, reason),
});

export const suspendCommand = queuedOperationCommand({
  name: 'suspend',
  description: 'suspend a Pending or Running instance: it makes no progress until resumed (a Suspended one stays so)',
  noun: 'Suspension',
  run: (client, id, reason) => client.suspend(id, reason),
});

export const resumeCommand = queuedOperationCommand({
  name: 'resume',
  description: 'resume a Suspended instance (one that is not suspended is left as it is)',
  noun: 'Resumption',
  run: (client, id, reason) => client.resume(id, reason),
});
