/**
 * A progress bar for long operations, drawn on a terminal only (stderr, so stdout stays clean JSON) and
 * only once the work has run for a while: a quick purge prints nothing but its result.
 */
import type { OutputStream } from './io.js';

export interface ProgressOptions {
  stream: OutputStream;
  label: string;
  total: number;
  /** How many are done so far; asked every `intervalMs` once `delayMs` has passed. */
  readDone(): Promise<number>;
  delayMs?: number;
  intervalMs?: number;
}

/** Awaits `work`, drawing a bar meanwhile when the stream is a terminal; the bar is erased at the end. */
export async function withProgress<T>(work: Promise<T>, options: ProgressOptions): Promise<T> {
  if (!options.stream.isTTY || options.total <= 0) return work;
  let finished = false;
  let drawn = false;
  let reading: Promise<void> = Promise.resolve();
  const draw = (done: number) => {
    if (finished) return;
    options.stream.write(`\r${renderProgressBar(options.label, done, options.total, options.stream.columns || 80)}`);
    drawn = true;
  };
  const tick = () => {
    // One read at a time; a failed read only skips a redraw (the work reports its own errors).
    reading = reading.then(() => options.readDone().then(draw, () => undefined));
  };
  let interval: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    tick();
    interval = setInterval(tick, options.intervalMs ?? 200);
  }, options.delayMs ?? 1000);
  try {
    return await work;
  } finally {
    clearTimeout(delay);
    clearInterval(interval);
    await reading;
    finished = true;
    if (drawn) options.stream.write('\r\u001b[2K');
  }
}

/** `label [#####-----]  42% 420/1000`, fitted to the terminal width. */
export function renderProgressBar(label: string, done: number, total: number, columns: number): string {
  const clamped = Math.min(Math.max(done, 0), total);
  const percent = Math.floor((clamped / total) * 100);
  const counts = ` ${String(percent).padStart(3)}% ${clamped}/${total}`;
  const width = Math.max(10, Math.min(40, columns - label.length - counts.length - 4));
  const filled = Math.round((clamped / total) * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${counts}`;
}

export interface WaitingLineOptions {
  stream: OutputStream;
  /** What is being waited for, e.g. `Waiting for instance 'x' to reach Terminated`. */
  label: string;
  /** 0 draws the line before the work starts (work that holds the event loop, as SQLite's, gives no timer a turn). */
  delayMs?: number;
  intervalMs?: number;
}

/**
 * For work whose size is unknown: `label … 3 s` on a terminal (stderr), redrawn every second once the work
 * has run for `delayMs`, and erased at the end.
 */
export async function withWaitingLine<T>(start: () => Promise<T>, options: WaitingLineOptions): Promise<T> {
  if (!options.stream.isTTY) return start();
  const began = Date.now();
  let drawn = false;
  const draw = () => {
    options.stream.write(`\r\u001b[2K${options.label} … ${Math.floor((Date.now() - began) / 1000)} s`);
    drawn = true;
  };
  let interval: NodeJS.Timeout | undefined;
  const delayMs = options.delayMs ?? 1000;
  const begin = () => {
    draw();
    interval = setInterval(draw, options.intervalMs ?? 1000);
  };
  const delay = delayMs === 0 ? undefined : setTimeout(begin, delayMs);
  if (delayMs === 0) begin();
  try {
    return await start();
  } finally {
    clearTimeout(delay);
    clearInterval(interval);
    if (drawn) options.stream.write('\r\u001b[2K');
  }
}
