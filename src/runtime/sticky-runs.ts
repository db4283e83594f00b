/**
 * Sticky execution (docs/adr/0028-sticky-execution.md): the live runs of the instances whose last step this
 * worker committed, least recently used first, at most `capacity` of them. A run is taken out while its
 * next step runs and put back only once that step is committed, so whatever goes wrong on the way (a lost
 * lease, a failed or stopped step, an engine error, a commit that failed) leaves it out, and the step after
 * replays from the store.
 */
import type { CachedHistory, InstanceRecord } from '../backend/backend.js';
import type { OrchestrationRun } from '../core/orchestration-run.js';

export interface StickyRun extends CachedHistory {
  run: OrchestrationRun;
  /** The instance as the step that made the run left it: what a step computed ahead plans with (docs/adr/0029). */
  instance: InstanceRecord;
  /** The store's time of that step, and this process's monotonic clock (performance.now) when it began: the store's clock is estimated from them. */
  steppedAt: { storeTime: number; localTime: number };
}

export class StickyRuns {
  /** Map keeps insertion order: the first entry is the least recently used. */
  private readonly runs = new Map<string, StickyRun>();

  constructor(readonly capacity: number) {}

  /** What this worker holds, by instance id, for a claim to leave those histories out (ClaimOptions.cachedHistories). */
  get histories(): ReadonlyMap<string, CachedHistory> | undefined {
    return this.capacity > 0 ? this.runs : undefined;
  }

  /** The instance's run, if held, left in place. */
  peek(instanceId: string): StickyRun | undefined {
    return this.runs.get(instanceId);
  }

  /** Takes the instance's run out, if held. */
  take(instanceId: string): StickyRun | undefined {
    const held = this.runs.get(instanceId);
    this.runs.delete(instanceId);
    return held;
  }

  /** Keeps a run as the most recently used, dropping the least recently used beyond the capacity. */
  keep(instanceId: string, held: StickyRun): void {
    if (this.capacity === 0) return;
    this.runs.delete(instanceId);
    this.runs.set(instanceId, held);
    for (const oldest of this.runs.keys()) {
      if (this.runs.size <= this.capacity) break;
      this.runs.delete(oldest);
    }
  }
}
