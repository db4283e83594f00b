/**
 * Creating instances, for the client (one) and for a step's sub-orchestrations (a batch). An id taken by an
 * unfinished instance is refused; one taken by a finished instance is replaced, its rows deleted. Run
 * inside a transaction; the caller then delivers each created instance's start message.
 */
import type { RuntimeStatus } from '../../core/history.js';
import type { CreateInstanceOutcome, CreateInstanceRequest, OutgoingMessage } from '../backend.js';
import { named, type PostgresStore, type Queryable } from './db.js';
import { FINISHED_SQL, NOW_MS } from './sql.js';

/** One outcome per request, in order. A second request for an id in the same batch finds the first. */
export async function createInstances(
  store: PostgresStore,
  db: Queryable,
  hub: string,
  requests: readonly CreateInstanceRequest[],
): Promise<CreateInstanceOutcome[]> {
  const firsts = new Map<string, CreateInstanceRequest>();
  for (const request of requests) if (!firsts.has(request.instanceId)) firsts.set(request.instanceId, request);
  const unique = [...firsts.values()].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  const created = await upsertInstances(store, db, hub, unique);
  const refused = unique.filter((request) => !created.has(request.instanceId)).map((request) => request.instanceId);
  const statuses = refused.length === 0 ? new Map<string, RuntimeStatus>() : await statusesOf(store, db, hub, refused);

  return requests.map((request): CreateInstanceOutcome => {
    if (firsts.get(request.instanceId) !== request) {
      return { created: false, existingStatus: created.has(request.instanceId) ? 'Pending' : statusOf(statuses, request.instanceId) };
    }
    return created.has(request.instanceId) ? { created: true } : { created: false, existingStatus: statusOf(statuses, request.instanceId) };
  });
}

/** The ExecutionStarted message of a created instance: visible at its scheduled start, or now. */
export function startMessage(request: CreateInstanceRequest): OutgoingMessage {
  const message: OutgoingMessage = { instanceId: request.instanceId, executionId: request.executionId, event: request.startEvent };
  if (request.scheduledStartAt !== undefined) message.visibleAt = request.scheduledStartAt;
  return message;
}

/**
 * INSERT … ON CONFLICT DO UPDATE … WHERE finished: a new id is inserted, a finished instance's row replaced,
 * an unfinished one left alone (and locked, so its status cannot change before the caller reads it).
 * Concurrent creators of one id queue on the row or on the index entry: exactly one wins. Rows are taken
 * in id order, the order every multi-instance lock in this backend follows.
 *
 * The replaced instance's history, inbox and tasks are deleted in the same statement, which sees them as
 * of its start: a message delivered to the finished instance while this statement waited for its row
 * survives, addressed to the old execution id, and the runtime drops it when read.
 */
async function upsertInstances(
  store: PostgresStore,
  db: Queryable,
  hub: string,
  requests: readonly CreateInstanceRequest[],
): Promise<Set<string>> {
  const { instances, history, messages, activityTasks } = store.tables;
  const result = await db.query<{ instance_id: string }>(
    named('create_instances', `WITH now AS (SELECT ${NOW_MS} AS t),
    created AS (
      INSERT INTO ${instances} AS i
        (hub, instance_id, execution_id, name, status, input, created_at, last_updated_at, scheduled_start_at, parent_instance_id)
      SELECT $1, r.instance_id, r.execution_id, r.name, 'Pending', r.input, now.t, now.t, r.scheduled_start_at, r.parent_instance_id
      FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
        WITH ORDINALITY AS r(instance_id, execution_id, name, input, scheduled_start_at, parent_instance_id, ord)
      CROSS JOIN now
      ORDER BY r.ord
      ON CONFLICT (hub, instance_id) DO UPDATE SET
        row_seq = DEFAULT, execution_id = excluded.execution_id, name = excluded.name, status = 'Pending',
        input = excluded.input, output = NULL, custom_status = NULL, created_at = excluded.created_at,
        last_updated_at = excluded.last_updated_at, completed_at = NULL, scheduled_start_at = excluded.scheduled_start_at,
        parent_instance_id = excluded.parent_instance_id, ready_at = NULL,
        lock_token = NULL, locked_by = NULL, lock_expires_at = NULL
      WHERE i.status IN ${FINISHED_SQL}
      RETURNING i.instance_id
    ),
    history_deleted AS (
      DELETE FROM ${history} h USING created c WHERE h.hub = $1 AND h.instance_id = c.instance_id
    ),
    messages_deleted AS (
      DELETE FROM ${messages} m USING created c WHERE m.hub = $1 AND m.instance_id = c.instance_id
    ),
    tasks_deleted AS (
      DELETE FROM ${activityTasks} t USING created c WHERE t.hub = $1 AND t.instance_id = c.instance_id
    )
    SELECT instance_id FROM created`,
    [
      hub,
      requests.map((request) => request.instanceId),
      requests.map((request) => request.executionId),
      requests.map((request) => request.name),
      requests.map((request) => request.input ?? null),
      requests.map((request) => request.scheduledStartAt ?? null),
      requests.map((request) => request.parent?.instanceId ?? null),
    ]),
  );
  return new Set(result.rows.map((row) => row.instance_id));
}

async function statusesOf(store: PostgresStore, db: Queryable, hub: string, instanceIds: string[]): Promise<Map<string, RuntimeStatus>> {
  const result = await db.query<{ instance_id: string; status: RuntimeStatus }>(
    named('instance_statuses', `SELECT instance_id, status FROM ${store.tables.instances} WHERE hub = $1 AND instance_id = ANY($2::text[])`,
    [hub, instanceIds]),
  );
  return new Map(result.rows.map((row) => [row.instance_id, row.status]));
}

function statusOf(statuses: Map<string, RuntimeStatus>, instanceId: string): RuntimeStatus {
  const status = statuses.get(instanceId);
  // The row was locked by the upsert, so it cannot have vanished before this read in the same transaction.
  if (status === undefined) throw new Error(`instance '${instanceId}' was refused as existing but is not found`);
  return status;
}
