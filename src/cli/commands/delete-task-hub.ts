/**
 * `taskhub delete-task-hub` (func durable delete-task-hub): removes exactly this hub's data, and says when
 * there was none. On a terminal, a line says what is being deleted while it runs.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { escapeForTerminal, writeLine } from '../output.js';
import { withWaitingLine } from '../progress.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

export function deleteTaskHubCommand(program: Command, io: CliIo): void {
  const command = program
    .command('delete-task-hub')
    .description("delete every instance, history and message of the task hub (other hubs in the store are kept)");
  addStoreOptions(command).action(async (flags: StoreFlags) => {
    const { hub, deleted } = await withClient(io, flags, async (client) => {
      const instances = io.stderr.isTTY ? Object.values(await client.countInstances()).reduce((sum, count) => sum + count, 0) : 0;
      const label = `Deleting task hub '${escapeForTerminal(client.hub)}' (${instances} instance${instances === 1 ? '' : 's'})`;
      return { hub: client.hub, deleted: await withWaitingLine(() => client.deleteTaskHub(), { stream: io.stderr, label, delayMs: 0 }) };
    });
    writeLine(io.stdout, deleted ? `Task hub '${hub}' deleted.` : `Task hub '${hub}' has no data: nothing was deleted.`);
  });
}
