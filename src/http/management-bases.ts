/**
 * Where the management API is served: under the webhook path `/runtime/webhooks/durabletask` (Durable
 * Functions' public URLs, and every management URL taskhub returns), and the same routes under
 * `/durabletask`, the path of Durable Functions' local RPC endpoint (`http://127.0.0.1:17071/durabletask/`).
 * Since extension 2.x a Functions host hands its JavaScript clients that endpoint as `rpcBaseUrl`, and they
 * then build `orchestrators/{name}`, `instances/{id}/…` under it themselves, with no `taskHub`,
 * `connection` or `code` in the URL; a client given `rpcBaseUrl=<server>/durabletask/` works against taskhub.
 */
import { MANAGEMENT_BASE_PATH } from '../client/management-urls.js';

const RPC_BASE_PATH = '/durabletask';

export const MANAGEMENT_BASES: readonly string[] = [MANAGEMENT_BASE_PATH, RPC_BASE_PATH];
