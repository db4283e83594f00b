/** The runtime statuses as the HTTP API names them, in the order the dashboard shows them. */
export const RUNTIME_STATUSES = ['Running', 'Pending', 'Suspended', 'Completed', 'Failed', 'Terminated', 'ContinuedAsNew'] as const;

export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

/** Only these can be purged; the others can still change. */
export const FINISHED_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isRuntimeStatus(value: string): value is RuntimeStatus {
  return (RUNTIME_STATUSES as readonly string[]).includes(value);
}

export function isFinished(status: RuntimeStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}
