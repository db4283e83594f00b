/** One function per API route the dashboard uses (docs/http-api.md). */
import { ApiError, api } from './http.js';
import type { CheckStatus, Histogram, HistoryPage, InstanceStatus, StatusCounts, TaskHubs } from './types.js';

const CONTINUATION_HEADER = 'x-ms-continuation-token';

export interface InstancePage {
  instances: InstanceStatus[];
  continuationToken?: string;
}

export async function listInstances(
  query: URLSearchParams,
  page: { size: number; order: 'newest' | 'oldest' },
  continuationToken: string | undefined,
  signal?: AbortSignal,
): Promise<InstancePage> {
  const search = new URLSearchParams(query);
  search.set('top', String(page.size));
  search.set('orderBy', page.order);
  // The list shows no inputs: a page of large inputs would be read, sent and parsed for nothing.
  search.set('showInput', 'false');
  const response = await api<InstanceStatus[]>('/instances', {
    query: search,
    headers: continuationToken ? { [CONTINUATION_HEADER]: continuationToken } : {},
    signal,
  });
  const token = response.headers.get(CONTINUATION_HEADER);
  return token ? { instances: response.body, continuationToken: token } : { instances: response.body };
}

export async function countInstances(query: URLSearchParams, signal?: AbortSignal): Promise<StatusCounts> {
  return (await api<StatusCounts>('/counts', { query, signal })).body;
}

export async function histogram(query: URLSearchParams, maxIntervals: number, signal?: AbortSignal): Promise<Histogram> {
  const search = new URLSearchParams(query);
  search.set('maxIntervals', String(maxIntervals));
  return (await api<Histogram>('/histogram', { query: search, signal })).body;
}

export async function getInstance(instanceId: string, signal?: AbortSignal): Promise<InstanceStatus> {
  return (await api<InstanceStatus>(`/instances/${encodeURIComponent(instanceId)}`, { signal })).body;
}

export async function historyPage(instanceId: string, fromSequence: number, limit: number, signal?: AbortSignal): Promise<HistoryPage> {
  const query = new URLSearchParams({ fromSequence: String(fromSequence), limit: String(limit) });
  return (await api<HistoryPage>(`/instances/${encodeURIComponent(instanceId)}/history`, { query, signal })).body;
}

export async function orchestratorNames(signal?: AbortSignal): Promise<string[]> {
  return (await api<{ orchestrators: string[] }>('/orchestrators', { signal })).body.orchestrators;
}

export async function taskHubs(signal?: AbortSignal): Promise<TaskHubs> {
  return (await api<TaskHubs>('/taskhubs', { signal })).body;
}

/** Starts an instance; `input` undefined starts it without input. Returns its id. */
export async function startInstance(name: string, instanceId: string | undefined, input: unknown): Promise<string> {
  const path = `/orchestrators/${encodeURIComponent(name)}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`;
  return (await api<CheckStatus>(path, { method: 'POST', body: input })).body.id;
}

export async function raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void> {
  await api(`/instances/${encodeURIComponent(instanceId)}/raiseEvent/${encodeURIComponent(eventName)}`, { method: 'POST', body: data });
}

export type Operation = 'terminate' | 'suspend' | 'resume' | 'rewind';

export async function operate(instanceId: string, operation: Operation, reason: string, options: { recursive?: boolean } = {}): Promise<void> {
  const query = new URLSearchParams();
  if (reason) query.set('reason', reason);
  if (options.recursive) query.set('recursive', 'true');
  await api(`/instances/${encodeURIComponent(instanceId)}/${operation}`, { method: 'POST', query });
}

/** Returns the id of the instance the restart started. */
export async function restart(instanceId: string, withNewInstanceId: boolean): Promise<string> {
  const query = new URLSearchParams({ restartWithNewInstanceId: String(withNewInstanceId) });
  return (await api<CheckStatus>(`/instances/${encodeURIComponent(instanceId)}/restart`, { method: 'POST', query })).body.id;
}

export async function purge(instanceId: string): Promise<void> {
  await api(`/instances/${encodeURIComponent(instanceId)}`, { method: 'DELETE' });
}

/** Purges every finished instance the query matches; returns how many were deleted (0 when none matched). */
export async function purgeBy(query: URLSearchParams): Promise<number> {
  try {
    return (await api<{ instancesDeleted: number }>('/instances', { method: 'DELETE', query })).body.instancesDeleted;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return 0;
    throw error;
  }
}
