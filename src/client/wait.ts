/**
 * Waiting for an instance to finish: read its status, then sleep until the store signals that this
 * instance finished or the poll interval passes, until the deadline. The signal makes in-process waits
 * return within a millisecond of the commit; polling covers other processes.
 */
import type { Backend } from '../backend/backend.js';
import { isFinished } from '../core/history.js';
import { Wakeup } from '../runtime/wakeup.js';
import type { OrchestrationStatus } from './status-view.js';

export interface WaitForFinishOptions {
  backend: Backend;
  hub: string;
  instanceId: string;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Stops waiting early (a server shutting down answers its long polls at once). */
  signal?: AbortSignal;
  read(): Promise<OrchestrationStatus | undefined>;
}

/** The finished status, or undefined when the deadline passed or the signal aborted first. */
export async function waitForFinish(options: WaitForFinishOptions): Promise<OrchestrationStatus | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  const wakeup = new Wakeup();
  const unsubscribe = options.backend.subscribe(options.hub, (signal) => {
    if (signal.kind === 'finished' && signal.instanceId === options.instanceId) wakeup.notify();
  });
  const onAbort = () => wakeup.notify();
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const status = await options.read();
      if (status && isFinished(status.runtimeStatus)) return status;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || options.signal?.aborted) return undefined;
      await wakeup.wait(Math.min(options.pollIntervalMs, remaining));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
