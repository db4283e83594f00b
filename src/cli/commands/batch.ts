/**
 * (beyond func durable) `taskhub batch <operation> [filters]`: starts a batch job (docs/instance-management.md,
 * "Batch jobs") and, unless `--no-wait`, waits for it to end with a progress bar on a terminal, then prints
 * the job as JSON (exit 1 when it was cancelled or failed); `--dry-run` prints {"matched":N}.
 * `taskhub batch list|status|cancel` read and stop jobs.
 */
import type { Command } from 'commander';
import type { TaskHubClient } from '../../client/client.js';
import { BATCH_OPERATIONS, type BatchJob, type BatchOperation, type BatchRequest } from '../../client/batches.js';
import { OperationFailedError } from '../failure.js';
import type { CliIo } from '../io.js';
import { addFilterOptions, filterOf, type FilterFlags } from '../filter-options.js';
import { parseWholeNumber, readJsonArgument } from '../inputs.js';
import { writeJson } from '../output.js';
import { withProgress } from '../progress.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface BatchFlags extends StoreFlags, FilterFlags {
  reason?: string;
  eventName?: string;
  eventData?: string;
  chunkSize?: string;
  rate?: string;
  dryRun?: boolean;
  wait: boolean;
}

const POLL_INTERVAL_MS = 250;

/** `raiseEvent` is `raise-event` on the command line, as the single-instance command. */
function commandName(operation: BatchOperation): string {
  return operation.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export function batchCommand(program: Command, io: CliIo): void {
  const batch = program.command('batch').description('apply an operation to every instance matching a filter, as a durable job a worker runs');
  for (const operation of BATCH_OPERATIONS) {
    const command = addFilterOptions(batch.command(commandName(operation)).description(`${operation} every matching instance (a job of the store; prints the job when it ends)`))
      .option('--chunk-size <n>', 'instances per chunk, 1 to 1000 (default 1000)')
      .option('--rate <n>', 'at most this many instances a second (default 2000)')
      .option('--dry-run', 'print {"matched":N} and start nothing')
      .option('--no-wait', 'print the job at once instead of waiting for it to end');
    if (operation === 'raiseEvent') {
      command.requiredOption('--event-name <name>', 'the event name').option('--event-data <json>', 'the event data: JSON, or @file.json');
    } else if (operation !== 'restart' && operation !== 'purge') {
      command.option('--reason <text>', 'why (recorded with each instance)');
    }
    addStoreOptions(command).action(async (flags: BatchFlags) => {
      const request = requestOf(operation, flags, io);
      await withClient(io, flags, async (client) => {
        if (request.dryRun) return writeJson(io.stdout, await client.startBatch({ ...request, dryRun: true }));
        const job = await client.startBatch(request);
        if (!flags.wait) return writeJson(io.stdout, job);
        const ended = await withProgress(waitForEnd(client, job.id), {
          stream: io.stderr,
          label: `Batch ${operation}`,
          total: job.matched,
          readDone: async () => {
            const current = await client.getBatch(job.id);
            return current.done + current.failed;
          },
        });
        writeJson(io.stdout, ended);
        if (ended.state !== 'completed') throw new OperationFailedError(`batch job '${ended.id}' ended ${ended.state}`);
      });
    });
  }

  addStoreOptions(batch.command('list').description('every batch job of the task hub, as JSON')).action(async (flags: StoreFlags) => {
    writeJson(io.stdout, await withClient(io, flags, (client) => client.listBatches(), 'read'));
  });
  addStoreOptions(batch.command('status').description('one batch job: state, matched, done, failed, a sample of failures').requiredOption('--id <batch-id>', 'the job id')).action(
    async (flags: StoreFlags & { id: string }) => {
      writeJson(io.stdout, await withClient(io, flags, (client) => client.getBatch(flags.id), 'read'));
    },
  );
  addStoreOptions(batch.command('cancel').description('stop a batch job after the chunk in hand').requiredOption('--id <batch-id>', 'the job id')).action(
    async (flags: StoreFlags & { id: string }) => {
      writeJson(io.stdout, await withClient(io, flags, (client) => client.cancelBatch(flags.id)));
    },
  );
}

function requestOf(operation: BatchOperation, flags: BatchFlags, io: CliIo): BatchRequest {
  return {
    operation,
    filter: filterOf(flags),
    reason: flags.reason,
    eventName: flags.eventName,
    eventData: flags.eventData === undefined ? undefined : readJsonArgument('--event-data', flags.eventData, io.cwd),
    chunkSize: flags.chunkSize === undefined ? undefined : parseWholeNumber('--chunk-size', flags.chunkSize, 1, 1000),
    ratePerSecond: flags.rate === undefined ? undefined : parseWholeNumber('--rate', flags.rate, 1, 1_000_000),
    dryRun: flags.dryRun ?? false,
  };
}

async function waitForEnd(client: TaskHubClient, id: string): Promise<BatchJob> {
  for (;;) {
    const job = await client.getBatch(id);
    if (job.state !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
