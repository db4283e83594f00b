/** Rows of the instances table and their mapping to the backend's records. node-postgres returns bigint
 *  columns as strings (they may exceed 2^53); every bigint here is a time in ms or a row sequence, far below. */
import type { RuntimeStatus } from '../../core/history.js';
import type { Tags } from '../../core/tags.js';
import type { InstanceRecord } from '../backend.js';

export type BigintText = string;

export interface InstanceRow {
  instance_id: string;
  execution_id: string;
  name: string;
  status: RuntimeStatus;
  /** Absent when the query did not select it. */
  input?: string | null;
  output: string | null;
  custom_status: string | null;
  created_at: BigintText | number;
  last_updated_at: BigintText | number;
  completed_at: BigintText | number | null;
  scheduled_start_at: BigintText | number | null;
  parent_instance_id: string | null;
  /** JSON text of the tags; null when the instance has none; absent where not selected (a claim's work item). */
  tags?: string | null;
}

/** The columns of InstanceRow without input, for queries that may leave the payload unread. */
export const INSTANCE_COLUMNS = `instance_id, execution_id, name, status, output, custom_status, created_at,
  last_updated_at, completed_at, scheduled_start_at, parent_instance_id, tags`;

export function toNumber(value: BigintText | number): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Optional fields are left out rather than set to undefined (as the SQLite backend does). */
export function toInstanceRecord(row: InstanceRow): InstanceRecord {
  const record: InstanceRecord = {
    instanceId: row.instance_id,
    executionId: row.execution_id,
    name: row.name,
    status: row.status,
    createdAt: toNumber(row.created_at),
    lastUpdatedAt: toNumber(row.last_updated_at),
  };
  if (row.input !== undefined && row.input !== null) record.input = row.input;
  if (row.output !== null) record.output = row.output;
  if (row.custom_status !== null) record.customStatus = row.custom_status;
  if (row.completed_at !== null) record.completedAt = toNumber(row.completed_at);
  if (row.scheduled_start_at !== null) record.scheduledStartAt = toNumber(row.scheduled_start_at);
  if (row.parent_instance_id !== null) record.parentInstanceId = row.parent_instance_id;
  if (row.tags !== undefined && row.tags !== null) record.tags = JSON.parse(row.tags) as Tags;
  return record;
}

/** Message and task ids are bigserial values handed out as decimal text; anything else names no row. */
export function isRowId(id: string): boolean {
  return /^[1-9]\d{0,17}$/.test(id);
}
