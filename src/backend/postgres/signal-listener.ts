/**
 * The LISTEN side of the work signals: one dedicated connection per backend object, opened by migrate()
 * (so a process hears signals from the moment it has started) or by the first subscription, and kept until
 * close(). A lost connection (server restart, pg_terminate_backend, network) is reopened with exponential
 * backoff.
 *
 * A hub that had subscribers while nothing was listening (before the first LISTEN took effect, or during
 * an outage) may have missed signals, which are gone for good: once LISTEN is back, its subscribers get a
 * synthetic 'orchestration' and 'activity' signal so workers re-poll at once rather than at their next idle
 * poll. Hubs subscribed only while listening get no such signal.
 */
import pg from 'pg';
import type { WorkSignal } from '../backend.js';
import { decodeSignal } from './signals.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

type Listener = (signal: WorkSignal) => void;

export class SignalListener {
  private readonly listeners = new Map<string, Set<Listener>>();
  private client: pg.Client | undefined;
  /** Resolves when the current connection attempt has listened or failed. */
  private attempt: Promise<void> | undefined;
  private listening = false;
  /** Hubs with subscribers while nothing was listening: they get the catch-up signals. */
  private readonly deafHubs = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  /** Opens the connection if it is not open; resolves once it listens, or once this attempt failed (it is
   *  then retried in the background). */
  async start(): Promise<void> {
    if (this.client === undefined && this.retryTimer === undefined && !this.closed) this.connect();
    await this.attempt;
  }

  subscribe(hub: string, listener: Listener): () => void {
    let hubListeners = this.listeners.get(hub);
    if (hubListeners === undefined) {
      hubListeners = new Set();
      this.listeners.set(hub, hubListeners);
    }
    hubListeners.add(listener);
    if (!this.listening) this.deafHubs.add(hub);
    void this.start();
    return () => {
      hubListeners.delete(listener);
      if (hubListeners.size === 0 && this.listeners.get(hub) === hubListeners) this.listeners.delete(hub);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private connect(): void {
    const client = new pg.Client(this.config);
    this.client = client;
    client.on('notification', (message) => {
      const decoded = decodeSignal(message.payload);
      if (decoded !== undefined) this.emit(decoded.hub, decoded.signal);
    });
    // Without an 'error' handler a dropped connection would crash the process.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    this.attempt = client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel}"`))
      .then(
        () => {
          if (this.client !== client) return;
          this.listening = true;
          this.retryMs = FIRST_RETRY_MS;
          const deaf = [...this.deafHubs];
          this.deafHubs.clear();
          for (const hub of deaf) {
            this.emit(hub, { kind: 'orchestration' });
            this.emit(hub, { kind: 'activity' });
          }
        },
        () => this.lost(client),
      );
  }

  /** Called once per lost connection (the identity check ignores the second of 'error' and 'end'). */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    for (const hub of this.listeners.keys()) this.deafHubs.add(hub);
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private emit(hub: string, signal: WorkSignal): void {
    for (const listener of [...(this.listeners.get(hub) ?? [])]) {
      try {
        listener(signal);
      } catch {
        // A listener's failure must not stop the others from hearing the signal.
      }
    }
  }
}
