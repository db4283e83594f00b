/**
 * A second process claiming orchestration work from a SQLite file (tests/backend/sqlite-backend.test.ts).
 * Usage: sqlite-claim-process <file> <hub> <workerId>. Prints "ready", claims and completes instances
 * until none is left, then prints the ids it claimed as one JSON line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteBackend } from '../../src/backend/sqlite/index.js';

const [path, hub, workerId] = process.argv.slice(2);
if (path === undefined || hub === undefined || workerId === undefined) throw new Error('usage: sqlite-claim-process <file> <hub> <workerId>');

const backend = await openSqliteBackend(path);
const claimed: string[] = [];
console.log('ready');
for (;;) {
  const items = await backend.claimOrchestrations(hub, { workerId, max: 2, leaseMs: 60_000 });
  if (items.length === 0) break;
  for (const item of items) {
    claimed.push(item.instance.instanceId);
    await backend.commitOrchestration(hub, item, {
      instance: { status: 'Completed' },
      ops: [{ op: 'deleteMessages', ids: item.messages.map((message) => message.id) }],
    });
  }
  // Leave the write lock free a moment: SQLite queues no waiter, the other process polls for it.
  await sleep(5);
}
await backend.close();
console.log(JSON.stringify(claimed));
