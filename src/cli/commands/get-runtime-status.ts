/** `taskhub get-runtime-status` (func durable get-runtime-status): one instance's status as JSON. */
import type { Command } from 'commander';
import { InstanceNotFoundError } from '../../errors.js';
import type { OrchestrationStatus } from '../../client/status-view.js';
import type { CliIo } from '../io.js';
import { parseBooleanFlag } from '../inputs.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface GetRuntimeStatusFlags extends StoreFlags {
  id: string;
  showInput?: boolean;
  showOutput?: boolean;
}

export function getRuntimeStatusCommand(program: Command, io: CliIo): void {
  const command = program
    .command('get-runtime-status')
    .description("print an instance's status as JSON (input and output hidden unless asked for)")
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--show-input [true|false]', 'include the input (default false)', parseBooleanFlag)
    .option('--show-output [true|false]', 'include the output (default false)', parseBooleanFlag);
  addStoreOptions(command).action(async (flags: GetRuntimeStatusFlags) => {
    const showInput = flags.showInput ?? false;
    const status = await withClient(io, flags, (client) => client.getStatus(flags.id, { showInput }), 'read');
    if (!status) throw new InstanceNotFoundError(flags.id);
    const shown: Partial<OrchestrationStatus> = { ...status };
    if (!flags.showOutput) {
      delete shown.output;
      delete shown.failureDetails;
    }
    writeJson(io.stdout, shown);
  });
}
