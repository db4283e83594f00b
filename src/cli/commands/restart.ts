/** `taskhub restart` (beyond func durable): the same orchestrator with the same input; prints the id. */
import type { Command } from 'commander';
import { OPERATIONS } from '../../client/operations.js';
import type { CliIo } from '../io.js';
import { parseBooleanFlag } from '../inputs.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface RestartFlags extends StoreFlags {
  id: string;
  newInstanceId?: boolean;
}

export function restartCommand(program: Command, io: CliIo): void {
  const command = program
    .command(OPERATIONS.restart.command.name)
    .description(OPERATIONS.restart.command.description)
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--new-instance-id [true|false]', 'under a new id (default true); false reuses the id of a finished instance', parseBooleanFlag);
  addStoreOptions(command).action(async (flags: RestartFlags) => {
    const restartWithNewInstanceId = flags.newInstanceId ?? true;
    const instanceId = await withClient(io, flags, (client) => client.restart(flags.id, { restartWithNewInstanceId }));
    writeLine(io.stdout, instanceId);
  });
}
