/** (beyond func durable) `taskhub retention get` prints the hub's retention policy and its last run; `taskhub retention set` replaces the policy. */
import type { Command } from 'commander';
import type { RetentionPolicy } from '../../client/retention.js';
import type { CliIo } from '../io.js';
import { writeJson } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';
import { InvalidArgumentError } from '../../errors.js';

interface SetFlags extends StoreFlags {
  completedDays?: string;
  failedDays?: string;
  terminatedDays?: string;
  maxFinished?: string;
  intervalSeconds?: string;
}

export function retentionCommand(program: Command, io: CliIo): void {
  const retention = program.command('retention').description('the task hub\'s retention policy: finished instances purged continuously by a worker');
  addStoreOptions(retention.command('get').description('the policy, and what its last run purged, as JSON')).action(async (flags: StoreFlags) => {
    writeJson(io.stdout, await withClient(io, flags, (client) => client.getRetention(), 'read'));
  });
  const set = retention
    .command('set')
    .description('replace the policy (no flags: keep every instance)')
    .option('--completed-days <n>', 'keep Completed instances this many days')
    .option('--failed-days <n>', 'keep Failed instances this many days')
    .option('--terminated-days <n>', 'keep Terminated instances this many days')
    .option('--max-finished <n>', 'keep at most this many finished instances (the oldest go)')
    .option('--interval-seconds <n>', 'seconds between runs (default 60)');
  addStoreOptions(set).action(async (flags: SetFlags) => {
    const policy: RetentionPolicy = {
      completedDays: number('--completed-days', flags.completedDays),
      failedDays: number('--failed-days', flags.failedDays),
      terminatedDays: number('--terminated-days', flags.terminatedDays),
      maxFinished: number('--max-finished', flags.maxFinished),
      intervalSeconds: number('--interval-seconds', flags.intervalSeconds),
    };
    const defined = Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== undefined)) as RetentionPolicy;
    writeJson(io.stdout, await withClient(io, flags, (client) => client.setRetention(defined)));
  });
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError(`${flag} must be a number (got '${value}')`);
  return parsed;
}
