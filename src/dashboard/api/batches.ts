/** The batch job and retention routes (docs/http-api.md "Batch jobs", "Retention"). */
import { api } from './http.js';

export type BatchOperation = 'terminate' | 'suspend' | 'resume' | 'rewind' | 'restart' | 'raiseEvent' | 'purge';
export const BATCH_OPERATIONS: readonly BatchOperation[] = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'raiseEvent', 'purge'];

/** How the dialog and the jobs page name each operation. */
export const BATCH_OPERATION_LABELS: Record<BatchOperation, string> = {
  terminate: 'terminate',
  suspend: 'suspend',
  resume: 'resume',
  rewind: 'rewind',
  restart: 'restart',
  raiseEvent: 'raise event',
  purge: 'purge',
};

/** The operations that record a reason with each instance. */
export const OPERATIONS_WITH_REASON: readonly BatchOperation[] = ['terminate', 'suspend', 'resume', 'rewind'];

/** The job's operation as the page shows it ("raise event"), the server's name when the dashboard does not know it. */
export function operationLabel(operation: string): string {
  return (BATCH_OPERATION_LABELS as Record<string, string | undefined>)[operation] ?? operation;
}

/** What a job is asked besides its operation and filter: a reason, or raiseEvent's event. */
export interface BatchArguments {
  reason?: string;
  eventName?: string;
  eventData?: unknown;
}

/** The JSON filter of `POST …/batches`. */
export interface BatchFilter {
  runtimeStatus?: string[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  name?: string;
  tags?: Record<string, string>;
}

export interface BatchJob {
  id: string;
  operation: string;
  state: 'running' | 'completed' | 'cancelled' | 'failed' | 'suspended';
  matched: number;
  done: number;
  failed: number;
  failures: { instanceId: string; error: string }[];
  createdAt: string;
  lastUpdatedAt: string;
}

export interface RetentionView {
  policy: { completedDays?: number; failedDays?: number; terminatedDays?: number; maxFinished?: number; intervalSeconds?: number };
  lastRun?: { at: string; completed: number; failed: number; terminated: number; overLimit: number };
  purgedTotal: number;
}

/** The dry run of the very request a start would send, so the server checks all of it before anything starts. */
export async function countBatch(operation: BatchOperation, filter: BatchFilter, args: BatchArguments, signal?: AbortSignal): Promise<number> {
  return (await api<{ matched: number }>('/batches', { method: 'POST', body: { operation, filter, ...args, dryRun: true }, signal })).body.matched;
}

export async function startBatch(operation: BatchOperation, filter: BatchFilter, args: BatchArguments): Promise<BatchJob> {
  return (await api<BatchJob>('/batches', { method: 'POST', body: { operation, filter, ...args } })).body;
}

export async function listBatches(signal?: AbortSignal): Promise<BatchJob[]> {
  return (await api<BatchJob[]>('/batches', { signal })).body;
}

export async function getBatch(id: string, signal?: AbortSignal): Promise<BatchJob> {
  return (await api<BatchJob>(`/batches/${encodeURIComponent(id)}`, { signal })).body;
}

export async function cancelBatch(id: string): Promise<BatchJob> {
  return (await api<BatchJob>(`/batches/${encodeURIComponent(id)}/cancel`, { method: 'POST' })).body;
}

export async function getRetention(signal?: AbortSignal): Promise<RetentionView> {
  return (await api<RetentionView>('/retention', { signal })).body;
}

/** Replaces the hub's policy; `{}` keeps every instance. */
export async function setRetention(policy: RetentionView['policy']): Promise<RetentionView> {
  return (await api<RetentionView>('/retention', { method: 'PUT', body: policy })).body;
}
