/**
 * Live updates: the server's change stream (`GET …/changes`, server-sent events) read with fetch — so
 * the API key travels as a header, as on every other request — and, when the stream cannot be had,
 * polling. Views subscribe and re-read what they show on each change. The store's signals are hints
 * (a step that only sets a timer sends none), so a live view also re-reads now and then.
 */
import { createParser } from 'eventsource-parser';
import { authHeaders, apiUrl } from './http.js';

export type LiveMode = 'connecting' | 'live' | 'polling' | 'paused';

export interface Change {
  /** Instances that finished, as far as the stream knows; empty for a poll. */
  finished: string[];
}

/** While the stream is up: a re-read this often catches changes that sent no signal. */
const LIVE_REREAD_MS = 10_000;
/** Without the stream. */
const POLL_MS = 3000;
/** Reconnection after the stream broke: doubling from the first, up to the last. */
const RECONNECT_FIRST_MS = 2000;
const RECONNECT_MAX_MS = 30_000;

type Listener = (change: Change) => void;
type ModeListener = (mode: LiveMode) => void;

export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private readonly modeListeners = new Set<ModeListener>();
  private mode: LiveMode = 'paused';
  private paused = false;
  private connection: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private poller: ReturnType<typeof setInterval> | undefined;
  private reconnectMs = RECONNECT_FIRST_MS;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onMode(listener: ModeListener): () => void {
    this.modeListeners.add(listener);
    listener(this.mode);
    return () => this.modeListeners.delete(listener);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.restart();
  }

  /** Connects again, as when the hub changed. */
  restart(): void {
    this.stop();
    if (this.paused) {
      this.setMode('paused');
      return;
    }
    this.reconnectMs = RECONNECT_FIRST_MS;
    void this.connect();
  }

  private stop(): void {
    this.connection?.abort();
    this.connection = undefined;
    clearTimeout(this.timer);
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private async connect(): Promise<void> {
    const connection = new AbortController();
    this.connection = connection;
    this.setMode('connecting');
    try {
      const response = await fetch(apiUrl('/changes'), {
        headers: { accept: 'text/event-stream', ...authHeaders() },
        signal: connection.signal,
        credentials: 'same-origin',
      });
      if (!response.ok || !response.body) throw new Error(`the change stream answered ${response.status}`);
      this.setMode('live');
      this.reconnectMs = RECONNECT_FIRST_MS;
      this.pollEvery(LIVE_REREAD_MS);
      // A change may have happened while the stream was down.
      this.notify({ finished: [] });
      await this.read(response.body);
      throw new Error('the change stream ended');
    } catch {
      if (connection.signal.aborted) return;
      this.setMode('polling');
      this.pollEvery(POLL_MS);
      this.timer = setTimeout(() => void this.connect(), this.reconnectMs);
      this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = createParser({
      onEvent: (event) => {
        if (event.event !== 'change') return;
        const data = JSON.parse(event.data) as Partial<Change>;
        this.notify({ finished: Array.isArray(data.finished) ? data.finished : [] });
      },
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  }

  private pollEvery(ms: number): void {
    clearInterval(this.poller);
    this.poller = setInterval(() => this.notify({ finished: [] }), ms);
  }

  private notify(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  private setMode(mode: LiveMode): void {
    this.mode = mode;
    for (const listener of this.modeListeners) listener(mode);
  }
}

/** The one feed of the page. */
export const changeFeed = new ChangeFeed();
