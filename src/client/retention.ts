/**
 * The retention policy of a task hub (docs/instance-management.md, "Retention"): the input of the hub's
 * eternal `taskhub.retention` instance, which a worker runs (src/runtime/retention.ts). Setting it starts
 * that instance, or sends it the new policy; reading it answers the policy and what the last run purged.
 */
import { randomUUID } from 'node:crypto';
import type { InboxEvent } from '../core/history.js';
import { isFinished } from '../core/history.js';
import { InvalidArgumentError } from '../errors.js';
import {
  RETENTION_INSTANCE_ID,
  RETENTION_ORCHESTRATOR,
  RETENTION_POLICY_EVENT,
  type RetentionPolicy,
  type RetentionRun,
  type RetentionState,
} from '../runtime/retention.js';
import type { TaskHubClient } from './client.js';

export type { RetentionPolicy, RetentionRun };

export interface RetentionView {
  policy: RetentionPolicy;
  /** What the last run purged, and when; absent before the first run. */
  lastRun?: RetentionRun;
  purgedTotal: number;
}

const POLICY_KEYS: (keyof RetentionPolicy)[] = ['completedDays', 'failedDays', 'terminatedDays', 'maxFinished', 'intervalSeconds'];

/** The policy in force (empty when none was set). */
export async function getRetention(client: TaskHubClient): Promise<RetentionView> {
  const status = await client.getStatus(RETENTION_INSTANCE_ID, { showInput: true });
  if (!status || isFinished(status.runtimeStatus)) return { policy: {}, purgedTotal: 0 };
  const state = (status.customStatus ?? status.input) as RetentionState;
  return { policy: state.policy, ...(state.lastRun ? { lastRun: state.lastRun } : {}), purgedTotal: state.purgedTotal };
}

/** Replaces the policy; `{}` keeps every instance. A worker applies it at once, then every interval. */
export async function setRetention(client: TaskHubClient, policy: RetentionPolicy): Promise<RetentionView> {
  const valid = validPolicy(policy);
  const status = await client.getStatus(RETENTION_INSTANCE_ID, { showInput: false });
  if (status && !isFinished(status.runtimeStatus)) {
    await client.raiseEvent(RETENTION_INSTANCE_ID, RETENTION_POLICY_EVENT, valid);
    return { ...(await getRetention(client)), policy: valid };
  }
  const state: RetentionState = { policy: valid, purgedTotal: 0 };
  const input = JSON.stringify(state);
  const executionId = randomUUID().replaceAll('-', '');
  const startEvent: InboxEvent = { type: 'ExecutionStarted', eventId: -1, timestamp: new Date().toISOString(), name: RETENTION_ORCHESTRATOR, executionId, input };
  await client.backend.createInstance(client.hub, { instanceId: RETENTION_INSTANCE_ID, executionId, name: RETENTION_ORCHESTRATOR, input, startEvent });
  return state;
}

function validPolicy(policy: RetentionPolicy): RetentionPolicy {
  if (typeof policy !== 'object' || policy === null) throw new InvalidArgumentError('a retention policy is an object such as { "completedDays": 7 }');
  const unknown = Object.keys(policy).filter((key) => !POLICY_KEYS.includes(key as keyof RetentionPolicy));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown retention setting ${unknown.join(', ')}; use ${POLICY_KEYS.join(', ')}`);
  const valid: RetentionPolicy = {};
  for (const key of POLICY_KEYS) {
    const value: unknown = policy[key];
    if (value === undefined) continue;
    const whole = key === 'maxFinished' || key === 'intervalSeconds';
    const min = key === 'intervalSeconds' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`${key} must be ${whole ? 'a whole number' : 'a number'} of at least ${min} (got ${JSON.stringify(value)})`);
    }
    valid[key] = value;
  }
  return valid;
}
