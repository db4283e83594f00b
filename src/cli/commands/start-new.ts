/** `taskhub start-new` (func durable start-new): queues a start message and prints the instance id. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { collectRepeated, parseOptionalTags, readJsonArgument } from '../inputs.js';
import { writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface StartNewFlags extends StoreFlags {
  functionName: string;
  input?: string;
  id?: string;
  tag?: string[];
}

export function startNewCommand(program: Command, io: CliIo): void {
  const command = program
    .command('start-new')
    .description('start an orchestration instance; prints its id (a running worker runs it)')
    .requiredOption('--function-name <name>', 'the orchestrator to start')
    .option('--input <json>', 'the input: inline JSON, or @path/to/file.json')
    .option('--id <instance-id>', 'the instance id (default: 32 random hex characters)')
    .option('--tag <key:value>', 'a tag of the instance; repeat for several (beyond func durable)', collectRepeated);
  addStoreOptions(command).action(async (flags: StartNewFlags) => {
    const input = flags.input === undefined ? undefined : readJsonArgument('--input', flags.input, io.cwd);
    const tags = parseOptionalTags(flags.tag);
    const instanceId = await withClient(io, flags, (client) => client.startNew(flags.functionName, { instanceId: flags.id, input, tags }));
    writeLine(io.stdout, instanceId);
  });
}
