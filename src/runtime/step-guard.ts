/**
 * Runs orchestrator code under a watchdog and on the step's clock (ADR 0018). Planning a step is
 * synchronous, so code that loops for ever would hold the event loop, and with it every route, lease
 * renewal and signal handler of the process; the watchdog of `vm` (a thread that stops the running
 * JavaScript after a timeout) ends such a run instead. Starting that thread costs tens of microseconds
 * (milliseconds on a loaded machine), so the steps that ask in one turn of the microtask queue (a claimed
 * batch, the steps a group commit's results hand over) are planned in one guarded run. While the code runs, `Date.now()`,
 * `new Date()` and `Date()` give the step's time (context.currentUtcDateTime), so they replay the same and
 * follow the store's clock rather than this machine's.
 */
import vm from 'node:vm';

export type Guarded<R> = { kind: 'done'; value: R } | { kind: 'timedOut' };

/** Tells the guard the time the code sees (ISO 8601); the engine calls it as it replays. */
export type SetCodeTime = (time: string) => void;

const TIMED_OUT = 'ERR_SCRIPT_EXECUTION_TIMEOUT';

export class StepGuard {
  private readonly sandbox = vm.createContext({ work: undefined });
  private readonly script = new vm.Script('work()');
  private codeTime: number | undefined;
  private readonly stepDate = stepClockDate(Date, () => this.codeTime);

  constructor(readonly limitMs: number) {}

  /**
   * Runs `work` on each item, all in one guarded run while none overruns. An item whose work runs longer
   * than the limit is stopped and reported `timedOut` if it began the run (it had the whole limit); one
   * that began later is run again at the start of a fresh run, so every item gets the whole limit.
   */
  runEach<I, R>(items: readonly I[], work: (item: I, setCodeTime: SetCodeTime) => R): Guarded<R>[] {
    const results: Guarded<R>[] = [];
    const setCodeTime: SetCodeTime = (time) => {
      this.codeTime = Date.parse(time);
    };
    let next = 0;
    while (next < items.length) {
      const first = next;
      try {
        this.guarded(() => {
          for (; next < items.length; next++) {
            this.codeTime = undefined;
            results[next] = { kind: 'done', value: work(items[next]!, setCodeTime) };
          }
        });
      } catch (error) {
        if ((error as { code?: unknown }).code !== TIMED_OUT) throw error;
        // Stopped between an item's end and the count moving on: that item is done.
        if (results[next] !== undefined) next++;
        else if (next === first) results[next++] = { kind: 'timedOut' };
      } finally {
        this.codeTime = undefined;
      }
    }
    return results;
  }

  private guarded(body: () => void): void {
    const realDate = globalThis.Date;
    globalThis.Date = this.stepDate;
    this.sandbox.work = body;
    try {
      this.script.runInContext(this.sandbox, { timeout: this.limitMs });
    } finally {
      this.sandbox.work = undefined;
      globalThis.Date = realDate;
    }
  }
}

/**
 * `Date` as seen by orchestrator code: the real constructor, except that the current time is the step's
 * (when one is set). `instanceof Date`, `Date.parse` and dates made from a value are untouched.
 */
function stepClockDate(RealDate: DateConstructor, codeTime: () => number | undefined): DateConstructor {
  const now = () => codeTime() ?? RealDate.now();
  return new Proxy(RealDate, {
    construct(target, args: unknown[], newTarget: new (...args: unknown[]) => unknown) {
      return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget) as object;
    },
    apply() {
      return new RealDate(now()).toString();
    },
    get(target, property, receiver: unknown) {
      if (property === 'now') return now;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * Gathers the items that ask to be worked on in one turn of the microtask queue and works on them in one
 * guarded run: a claim's items, and the steps that a group commit's results hand over together, all ask
 * before the microtask queued by the first one runs.
 */
export class GuardedBatches<I, R> {
  private waiting: { item: I; resolve(outcome: Guarded<R>): void; reject(error: unknown): void }[] = [];

  constructor(
    private readonly guard: StepGuard,
    private readonly work: (item: I, setCodeTime: SetCodeTime) => R,
  ) {}

  run(item: I): Promise<Guarded<R>> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const outcomes = this.guard.runEach(batch.map((entry) => entry.item), this.work);
      batch.forEach((entry, index) => entry.resolve(outcomes[index]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
