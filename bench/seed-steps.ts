/**
 * The benches seed instances fast by giving them a hand-made step through the Backend (create, claim,
 * commit). A claim takes any instance of the hub with a message waiting, and a store reused from an earlier
 * run (--storage) holds others: taskhub.retention, say, with its activity's result or a policy event in its
 * inbox. A hand-made step for such an instance consumes its messages without running its code, so the
 * next step's replay fails (NonDeterminismError: the history has the result but not the timer the code
 * makes after it), or, seeded finished, it ends. Seeders therefore step only their own instances, hold the
 * others claimed until they are done (so that no claim takes them again) and then release them unchanged.
 */
import { randomBytes } from 'node:crypto';
import type { Backend } from '../src/index.js';
import type { OrchestrationCommit, OrchestrationWorkItem } from '../src/backend/backend.js';
import type { HistoryEvent, RuntimeStatus } from '../src/core/history.js';

export interface SeededSteps {
  /** How many seeded instances to step. */
  count: number;
  /** Whether a claimed instance is one this seeder created (and has not stepped yet). */
  isSeeded(item: OrchestrationWorkItem): boolean;
  leaseMs: number;
  /** The hand-made step of the k-th seeded instance claimed. */
  commit(item: OrchestrationWorkItem, k: number): OrchestrationCommit;
}

/** Claims until `count` seeded instances are stepped; any other instance claimed on the way is left as it was. */
export async function stepSeeded(backend: Backend, hub: string, steps: SeededSteps): Promise<void> {
  const others: OrchestrationWorkItem[] = [];
  let stepped = 0;
  try {
    while (stepped < steps.count) {
      const items = await backend.claimOrchestrations(hub, { workerId: 'seeder', max: steps.count - stepped, leaseMs: steps.leaseMs });
      const seeded = items.filter((item) => steps.isSeeded(item));
      others.push(...items.filter((item) => !steps.isSeeded(item)));
      const first = stepped;
      stepped += seeded.length;
      await Promise.all(seeded.map((item, k) => backend.commitOrchestration(hub, item, steps.commit(item, first + k))));
    }
  } finally {
    // Released with no delay and not counted as a failed attempt: their messages are claimable again as they were.
    await Promise.all(others.map((item) => backend.abandonOrchestration(hub, item, 0)));
  }
}

const SEED_ROUND = 1000;

/**
 * Creates `total` instances of `name` and gives each a first step, SEED_ROUND at a time, concurrently:
 * Running (started, waiting on an event: the history holds only the start) or Completed.
 */
export async function seedStepped(backend: Backend, hub: string, total: number, name: string, prefix: string, status: RuntimeStatus): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const idPrefix = `${prefix}-${tag}-`;
  for (let first = 0; first < total; first += SEED_ROUND) {
    const count = Math.min(SEED_ROUND, total - first);
    await Promise.all(Array.from({ length: count }, (_, k) => {
      const executionId = randomBytes(8).toString('hex');
      const timestamp = new Date().toISOString();
      return backend.createInstance(hub, {
        instanceId: `${idPrefix}${first + k}`,
        executionId,
        name,
        startEvent: { type: 'ExecutionStarted', eventId: -1, timestamp, name, executionId },
      });
    }));
    await stepSeeded(backend, hub, {
      count,
      leaseMs: 60_000,
      // A seeded instance stepped Running has no message left, so it is not claimed again.
      isSeeded: (item) => item.instance.instanceId.startsWith(idPrefix) && item.instance.status === 'Pending',
      commit: (item) => {
        const timestamp = new Date().toISOString();
        const events: HistoryEvent[] = [
          { type: 'OrchestratorStarted', eventId: -1, timestamp },
          ...item.messages.map((m) => m.event),
          ...(status === 'Completed' ? [{ type: 'ExecutionCompleted', eventId: -1, timestamp, orchestrationStatus: 'Completed', result: '1' } as HistoryEvent] : []),
          { type: 'OrchestratorCompleted', eventId: -1, timestamp },
        ];
        return {
          instance: status === 'Completed' ? { status, output: '1' } : { status },
          ops: [
            { op: 'appendHistory', events },
            { op: 'deleteMessages', ids: item.messages.map((m) => m.id) },
            ...(status === 'Completed' ? [{ op: 'deleteAllMessages' } as const, { op: 'dropUnleasedTasks' } as const] : []),
          ],
        };
      },
    });
  }
}
