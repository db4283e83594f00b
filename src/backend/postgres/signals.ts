/**
 * Work signals over LISTEN/NOTIFY: one channel per schema, a JSON payload naming the hub. Notifications are
 * sent by pg_notify inside the writing transaction, so they go out exactly when the work becomes visible
 * (and not at all on rollback); they are hints, and workers poll as well, so a lost one only delays work.
 */
import type { WorkSignal } from '../backend.js';

export function channelOf(schemaName: string): string {
  return `${schemaName}_signals`;
}

interface SignalPayload {
  hub: string;
  kind: WorkSignal['kind'];
  instanceId?: string;
}

export function encodeSignal(hub: string, signal: WorkSignal): string {
  const payload: SignalPayload = { hub, ...signal };
  return JSON.stringify(payload);
}

/** Undefined for payloads this version does not understand (another taskhub version on the channel). */
export function decodeSignal(text: string | undefined): { hub: string; signal: WorkSignal } | undefined {
  let payload: Partial<SignalPayload>;
  try {
    payload = JSON.parse(text ?? '') as Partial<SignalPayload>;
  } catch {
    return undefined;
  }
  if (typeof payload.hub !== 'string') return undefined;
  switch (payload.kind) {
    case 'orchestration':
    case 'activity':
      return { hub: payload.hub, signal: { kind: payload.kind } };
    case 'finished':
      return typeof payload.instanceId === 'string'
        ? { hub: payload.hub, signal: { kind: 'finished', instanceId: payload.instanceId } }
        : undefined;
    default:
      return undefined;
  }
}
