/** `taskhub delete-task-hub` (func durable delete-task-hub): removes exactly this hub's data. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

export function deleteTaskHubCommand(program: Command, io: CliIo): void {
  const command = program
    .command('delete-task-hub')
    .description("delete every instance, history and message of the task hub (other hubs in the store are kept)");
  addStoreOptions(command).action(async (flags: StoreFlags) => {
    const hub = await withClient(io, flags, async (client) => {
      await client.deleteTaskHub();
      return client.hub;
    });
    writeLine(io.stdout, `Task hub '${hub}' deleted.`);
  });
}
