/**
 * `taskhub get-instances` (func durable get-instances): one page of instances as a JSON array, then Core
 * Tools' continuation-token line (empty on the last page).
 */
import type { Command } from 'commander';
import { MAX_PAGE_SIZE } from '../../client/client.js';
import type { CliIo } from '../io.js';
import { collectRepeated, parseBooleanFlag, parseOptionalDate, parseOptionalStatuses, parseListOrder, parseOptionalTags, parseWholeNumber } from '../inputs.js';
import { continuationTokenLine, writeJson, writeLine } from '../output.js';
import { addStoreOptions, withClient, type StoreFlags } from '../store.js';

interface GetInstancesFlags extends StoreFlags {
  createdAfter?: string;
  createdBefore?: string;
  runtimeStatus?: string[];
  top?: string;
  continuationToken?: string;
  instanceIdPrefix?: string;
  name?: string;
  showInput?: boolean;
  tag?: string[];
  orderBy?: string;
}

export function getInstancesCommand(program: Command, io: CliIo): void {
  const command = program
    .command('get-instances')
    .description('list instances, oldest first unless --order-by newest, one page at a time')
    .option('--created-after <date>', 'only instances created at or after this ISO 8601 date (UTC unless it has an offset)')
    .option('--created-before <date>', 'only instances created at or before this ISO 8601 date')
    .option('--runtime-status <status...>', 'only these statuses, e.g. running completed (any letter case)')
    .option('--top <n>', `instances per page, 1 to ${MAX_PAGE_SIZE} (default 10)`)
    .option('--continuation-token <token>', 'the token printed by the previous page')
    .option('--instance-id-prefix <prefix>', 'only instance ids starting with this (beyond func durable)')
    .option('--name <orchestrator>', 'only instances of this orchestrator (beyond func durable)')
    .option('--tag <key:value>', 'only instances with this tag; repeat for several, all must match (beyond func durable)', collectRepeated)
    .option('--order-by <order>', 'oldest (the default) or newest first by creation time (beyond func durable)')
    .option('--show-input [true|false]', 'include inputs (default false; beyond func durable)', parseBooleanFlag);
  addStoreOptions(command).action(async (flags: GetInstancesFlags) => {
    const query = {
      createdTimeFrom: parseOptionalDate('--created-after', flags.createdAfter),
      createdTimeTo: parseOptionalDate('--created-before', flags.createdBefore),
      runtimeStatus: parseOptionalStatuses(flags.runtimeStatus),
      pageSize: parseWholeNumber('--top', flags.top ?? '10', 1, MAX_PAGE_SIZE),
      continuationToken: flags.continuationToken,
      instanceIdPrefix: flags.instanceIdPrefix,
      name: flags.name,
      tags: parseOptionalTags(flags.tag),
      showInput: flags.showInput ?? false,
      orderBy: parseListOrder(flags.orderBy),
    };
    const page = await withClient(io, flags, (client) => client.listInstances(query), 'read');
    writeJson(io.stdout, page.instances);
    writeLine(io.stdout, continuationTokenLine(page.continuationToken));
  });
}
