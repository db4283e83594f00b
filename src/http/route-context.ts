/** What every route group needs from the server. */
import type { ClientResolver } from './client-resolver.js';

export interface RouteContext {
  resolver: ClientResolver;
  /** Aborted when the server starts closing: long polls answer 202 at once instead of holding shutdown. */
  shutdown: AbortSignal;
}
