/** The batch job and retention routes (docs/http-api.md "Batch jobs", "Retention"). */
import { api } from './http.js';

export type BatchOperation = 'terminate' | 'suspend' | 'resume' | 'purge';
export const BATCH_OPERATIONS: readonly BatchOperation[] = ['terminate', 'suspend', 'resume', 'purge'];

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

export async function countBatch(operation: BatchOperation, filter: BatchFilter, signal?: AbortSignal): Promise<number> {
  return (await api<{ matched: number }>('/batches', { method: 'POST', body: { operation, filter, dryRun: true }, signal })).body.matched;
}

export async function startBatch(operation: BatchOperation, filter: BatchFilter, reason: string): Promise<BatchJob> {
  return (await api<BatchJob>('/batches', { method: 'POST', body: { operation, filter, ...(reason ? { reason } : {}) } })).body;
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
