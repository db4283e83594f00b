/** `taskhub raise-event` (func durable raise-event): sends an event to a running instance. */
import type { Command } from 'commander';
import { OPERATIONS } from '../../client/operations.js';
import type { CliIo } from '../io.js';
import { readJsonArgument } from '../inputs.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface RaiseEventFlags extends StoreFlags {
  id: string;
  eventName: string;
  eventData?: string;
}

export function raiseEventCommand(program: Command, io: CliIo): void {
  const command = program
    .command(OPERATIONS.raiseEvent.command.name)
    .description(OPERATIONS.raiseEvent.command.description)
    .requiredOption('--id <instance-id>', 'the instance id')
    .requiredOption('--event-name <name>', 'the event name the orchestrator waits for')
    .option('--event-data <json>', 'the event data: inline JSON, or @path/to/file.json (default null)');
  addStoreOptions(command).action(async (flags: RaiseEventFlags) => {
    const data = flags.eventData === undefined ? undefined : readJsonArgument('--event-data', flags.eventData, io.cwd);
    await withClient(io, flags, (client) => client.raiseEvent(flags.id, flags.eventName, data));
    writeLine(io.stdout, `Event '${flags.eventName}' sent to instance '${flags.id}'.`);
  });
}
