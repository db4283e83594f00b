/** Reading the step audit that worker processes write (StepAuditRecord per line) and checking it. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { StepAuditRecord } from '../../src/index.js';

export function readAudit(file: string): StepAuditRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StepAuditRecord);
}

/** Per instance, no two steps' [startedAt, committingAt] intervals (each inside its worker's hold) overlap. */
export function assertNoOverlap(records: StepAuditRecord[]): void {
  const byInstance = new Map<string, StepAuditRecord[]>();
  for (const record of records) byInstance.set(record.instanceId, [...(byInstance.get(record.instanceId) ?? []), record]);
  for (const [instanceId, steps] of byInstance) {
    steps.sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < steps.length; i++) {
      const previous = steps[i - 1]!;
      const next = steps[i]!;
      assert.ok(
        next.startedAt >= previous.committingAt,
        `instance ${instanceId}: ${next.workerId} started at ${next.startedAt} while ${previous.workerId} held it until ${previous.committingAt}`,
      );
    }
  }
}
