import type { RuntimeStatus } from '../model/statuses.js';

/** The runtime status as a coloured badge; the text is there for everyone, the colour only helps. */
export function StatusBadge({ status }: { status: RuntimeStatus }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}
