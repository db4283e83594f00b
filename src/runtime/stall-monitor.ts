/**
 * Ends the process when its event loop has been blocked for too long (ADR 0018). Activity code may block
 * the event loop (a busy loop, synchronous work after an await): nothing in the blocked thread can stop it,
 * and meanwhile the process answers nothing, renews no lease and ignores Ctrl-C. A worker thread watches a
 * heartbeat the event loop writes; when it is older than the limit, the thread prints what was in hand
 * and kills the process, so that its leases expire and other workers take its work over (an activity that
 * does this on every delivery fails after maxActivityAttempts).
 */
import { Worker as Thread } from 'node:worker_threads';

export interface StallMonitor {
  /** Names the work in hand, printed if the loop stalls (the latest text wins; long texts are cut). */
  describe(text: string): void;
  stop(): void;
}

const DESCRIPTION_BYTES = 4096;

/** The watcher: plain JavaScript, evaluated in its own thread. */
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { heartbeat, description, limitMs, checkMs } = workerData;
const beat = new BigInt64Array(heartbeat);
const text = new Uint8Array(description);
setInterval(() => {
  const blockedMs = Number(process.hrtime.bigint() - Atomics.load(beat, 0)) / 1e6;
  if (blockedMs <= limitMs) return;
  const length = text.indexOf(0);
  const inHand = Buffer.from(text.subarray(0, length < 0 ? text.length : length)).toString('utf8');
  writeSync(2, '[taskhub] the event loop of process ' + process.pid + ' has been blocked for ' + Math.round(blockedMs / 1000) +
    ' s (more than eventLoopBlockLimitMs, ' + limitMs + ' ms): the process ends so that other workers take its work over. In hand: ' +
    (inHand || 'nothing') + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, checkMs);
`;

export function startStallMonitor(limitMs: number): StallMonitor {
  const heartbeat = new BigInt64Array(new SharedArrayBuffer(8));
  const description = new Uint8Array(new SharedArrayBuffer(DESCRIPTION_BYTES));
  const beat = () => Atomics.store(heartbeat, 0, process.hrtime.bigint());
  beat();
  // The heartbeat and the check each run several times per limit, so a stall is seen within about a third of it.
  const periodMs = Math.max(Math.min(limitMs / 6, 1000), 10);
  const thread = new Thread(WATCHER, {
    eval: true,
    workerData: { heartbeat: heartbeat.buffer, description: description.buffer, limitMs, checkMs: periodMs },
  });
  thread.unref();
  const ticker = setInterval(beat, periodMs);
  ticker.unref();
  const encoder = new TextEncoder();
  return {
    describe(text) {
      // Leave the last byte 0: the watcher reads up to the first 0.
      const { written } = encoder.encodeInto(text, description.subarray(0, DESCRIPTION_BYTES - 1));
      description.fill(0, written);
    },
    stop() {
      clearInterval(ticker);
      void thread.terminate();
    },
  };
}
