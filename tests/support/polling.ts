/** Waiting in tests for a state reached by a worker (bounded; never a speed assertion). */
import assert from 'node:assert/strict';
import type { TaskHubClient, OrchestrationStatus } from '../../src/index.js';

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function waitForStatus(client: TaskHubClient, id: string, expected: string): Promise<OrchestrationStatus> {
  return eventually(`instance ${id} to become ${expected}`, async () => {
    const status = await client.getStatus(id);
    return status?.runtimeStatus === expected ? status : undefined;
  });
}

export function waitForCustomStatus(client: TaskHubClient, id: string, expected: unknown): Promise<OrchestrationStatus> {
  return eventually(`custom status of ${id} to become ${JSON.stringify(expected)}`, async () => {
    const status = await client.getStatus(id);
    return JSON.stringify(status?.customStatus) === JSON.stringify(expected) ? status : undefined;
  });
}
