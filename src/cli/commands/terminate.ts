/**
 * `taskhub terminate` (func durable terminate): queues the termination, then, as Core Tools does, waits up
 * to 30 s for the instance to reach Terminated, which needs a running worker.
 */
import type { Command } from 'commander';
import { OPERATIONS } from '../../client/operations.js';
import type { TaskHubClient } from '../../client/client.js';
import type { OrchestrationStatus } from '../../client/status-view.js';
import { WaitTimeoutError } from '../../errors.js';
import { OperationFailedError } from '../failure.js';
import type { CliIo } from '../io.js';
import { parseSeconds } from '../inputs.js';
import { escapeForTerminal, writeLine } from '../output.js';
import { withWaitingLine } from '../progress.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface TerminateFlags extends StoreFlags {
  id: string;
  reason?: string;
  recursive?: boolean;
  timeout?: string;
}

const MAX_WAIT_SECONDS = 3600;
const POLL_INTERVAL_MS = 250;

export function terminateCommand(program: Command, io: CliIo): void {
  const command = program
    .command(OPERATIONS.terminate.command.name)
    .description(OPERATIONS.terminate.command.description)
    .requiredOption('--id <instance-id>', 'the instance id')
    .option('--reason <text>', 'why; becomes the output of the terminated instance')
    .option('--recursive', 'also terminate every sub-orchestration below it (beyond func durable)')
    .option('--timeout <seconds>', 'how long to wait for Terminated (default 30), 0 to not wait (beyond func durable)');
  addStoreOptions(command).action(async (flags: TerminateFlags) => {
    const timeoutSeconds = parseSeconds('--timeout', flags.timeout ?? '30', MAX_WAIT_SECONDS);
    await withClient(io, flags, async (client) => {
      await client.terminate(flags.id, flags.reason, { recursive: flags.recursive ?? false });
      if (timeoutSeconds === 0) {
        writeLine(io.stdout, `Termination of instance '${flags.id}' queued.`);
        return;
      }
      const status = await withWaitingLine(() => waitForTermination(client, flags.id, timeoutSeconds), {
        stream: io.stderr,
        label: `Waiting up to ${timeoutSeconds} s for instance '${escapeForTerminal(flags.id)}' to reach Terminated (a worker does it)`,
      });
      if (status.runtimeStatus !== 'Terminated') {
        throw new OperationFailedError(`instance '${flags.id}' finished as ${status.runtimeStatus} before the termination took effect`);
      }
      writeLine(io.stdout, `Instance '${flags.id}' terminated.`);
    });
  });
}

async function waitForTermination(client: TaskHubClient, instanceId: string, timeoutSeconds: number): Promise<OrchestrationStatus> {
  try {
    return await client.waitForCompletion(instanceId, {
      timeoutInMilliseconds: timeoutSeconds * 1000,
      retryIntervalInMilliseconds: POLL_INTERVAL_MS,
      showInput: false,
    });
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const current = await client.getStatus(instanceId, { showInput: false });
    throw new OperationFailedError(
      `instance '${instanceId}' did not reach Terminated within ${timeoutSeconds} s (it is ${current?.runtimeStatus ?? 'gone'}); ` +
        `the termination stays queued: is a worker running for task hub '${client.hub}'?`,
    );
  }
}
