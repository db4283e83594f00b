/** The instances table's row and its mapping to the backend's record type. */
import type { RuntimeStatus } from '../../core/history.js';
import type { Tags } from '../../core/tags.js';
import type { InstanceRecord } from '../backend.js';

export interface InstanceRow {
  row_seq: number;
  hub: string;
  instance_id: string;
  execution_id: string;
  name: string;
  status: RuntimeStatus;
  /** Absent when a listing did not select it. */
  input?: string | null;
  output: string | null;
  custom_status: string | null;
  created_at: number;
  last_updated_at: number;
  completed_at: number | null;
  scheduled_start_at: number | null;
  parent_instance_id: string | null;
  lock_token: string | null;
  locked_by: string | null;
  lock_expires_at: number | null;
  /** JSON text of the tags; null when the instance has none. */
  tags: string | null;
}

/** Optional fields are left out rather than set to undefined. */
export function toInstanceRecord(row: InstanceRow): InstanceRecord {
  const record: InstanceRecord = {
    instanceId: row.instance_id,
    executionId: row.execution_id,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    lastUpdatedAt: row.last_updated_at,
  };
  if (row.input !== undefined && row.input !== null) record.input = row.input;
  if (row.output !== null) record.output = row.output;
  if (row.custom_status !== null) record.customStatus = row.custom_status;
  if (row.completed_at !== null) record.completedAt = row.completed_at;
  if (row.scheduled_start_at !== null) record.scheduledStartAt = row.scheduled_start_at;
  if (row.parent_instance_id !== null) record.parentInstanceId = row.parent_instance_id;
  if (row.tags !== null) record.tags = JSON.parse(row.tags) as Tags;
  return record;
}

/** Message and task ids are row ids, handed out as decimal text; anything else names no row. */
export function parseRowId(id: string): number | undefined {
  return /^[1-9]\d{0,14}$/.test(id) ? Number(id) : undefined;
}
