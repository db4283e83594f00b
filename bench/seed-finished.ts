/**
 * Seeding a large population of finished instances fast, through the Backend's own methods (create, claim,
 * commit), `lanes` rounds of ROUND at once, each instance with a `tenant` tag of TENANTS values.
 */
import { randomBytes } from 'node:crypto';
import type { Backend } from '../src/index.js';
import type { HistoryEvent, RuntimeStatus } from '../src/core/history.js';
import { stepSeeded } from './seed-steps.js';

const ROUND = 1000;
export const TENANTS = 1000;

export interface FinishedSeed {
  hub: string;
  /** Ids are `${prefix}-${n}`; the orchestrator name is `name`. */
  prefix: string;
  name: string;
  /** Each instance's status, in turn. */
  statuses: RuntimeStatus[];
  lanes: number;
}

/** Seeds instances `from`…`to`-1, `lanes` rounds of ROUND at once. */
export async function seedFinishedInstances(backend: Backend, seed: FinishedSeed, from: number, to: number): Promise<void> {
  let next = from;
  const lane = async () => {
    while (next < to) {
      const first = next;
      const count = Math.min(ROUND, to - first);
      next += count;
      await seedRound(backend, seed, first, count);
    }
  };
  await Promise.all(Array.from({ length: seed.lanes }, lane));
}

/** Creates `count` instances and finishes them with a two-event history. A lane may step another lane's
 *  instances; every lane steps as many as it created, so all are finished when the lanes end (seed-steps.ts
 *  leaves instances of no lane alone). */
async function seedRound(backend: Backend, seed: FinishedSeed, first: number, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, k) => {
      const executionId = randomBytes(8).toString('hex');
      const timestamp = new Date().toISOString();
      return backend.createInstance(seed.hub, {
        instanceId: `${seed.prefix}-${first + k}`,
        executionId,
        name: seed.name,
        input: '{"n":1}',
        tags: { tenant: `t-${(first + k) % TENANTS}` },
        startEvent: { type: 'ExecutionStarted', eventId: -1, timestamp, name: seed.name, executionId, input: '{"n":1}' },
      });
    }),
  );
  await stepSeeded(backend, seed.hub, {
    count,
    leaseMs: 600_000,
    isSeeded: (item) => item.instance.instanceId.startsWith(`${seed.prefix}-`) && item.instance.status === 'Pending',
    commit: (item, k) => {
      const status = seed.statuses[k % seed.statuses.length]!;
      const timestamp = new Date().toISOString();
      const events: HistoryEvent[] = [
        ...item.messages.map((m) => m.event),
        status === 'Terminated'
          ? { type: 'ExecutionTerminated', eventId: -1, timestamp, reason: 'seeded' }
          : { type: 'ExecutionCompleted', eventId: -1, timestamp, orchestrationStatus: status === 'Failed' ? 'Failed' : 'Completed', result: '1' },
      ];
      return {
        instance: { status, output: '1' },
        ops: [
          { op: 'appendHistory', events },
          { op: 'deleteMessages', ids: item.messages.map((m) => m.id) },
          { op: 'deleteAllMessages' },
          { op: 'dropUnleasedTasks' },
        ],
      };
    },
  });
}
