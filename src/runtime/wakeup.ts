/**
 * A sleep that can be cut short. Dispatchers wait on it when there is no work; a work signal (from this
 * process, or LISTEN/NOTIFY) wakes them at once, so local work has no polling delay.
 */
export class Wakeup {
  private pending: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private signalled = false;

  /** Resolves after `ms`, or earlier when notify() is called. A notify() before wait() is not lost. */
  wait(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.pending = resolve;
      this.timer = setTimeout(() => this.release(), Math.max(0, ms));
    });
  }

  notify(): void {
    if (this.pending) this.release();
    else this.signalled = true;
  }

  private release(): void {
    const resolve = this.pending;
    this.pending = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.signalled = false;
    resolve?.();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
