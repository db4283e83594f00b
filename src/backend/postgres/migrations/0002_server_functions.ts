/**
 * Server-side functions: each backend write that used to take several statements (and BEGIN/COMMIT round
 * trips) is one call, and the calls that group commit batches (steps, activity results, new instances)
 * take a batch. A call is one statement in its own implicit transaction: one round trip, one commit.
 * Released migrations are never edited: a change to a function is a CREATE OR REPLACE in a new migration.
 *
 * - Every function is VOLATILE (the default), so each statement inside it takes a fresh snapshot and sees
 *   every commit before it, as separate statements did.
 * - `SET search_path FROM CURRENT` binds the unqualified names to the store's schema at creation (the
 *   migration runs with search_path set to it), so the text, and its checksum, is the same for every schema.
 * - Plans are generic, made once per connection (planning every call cost as much as running it). Such a
 *   plan is made when the connection first runs the function, often while the tables are still empty, and
 *   kept as they grow; on an empty table every index that starts with hub looks as good as the primary key,
 *   and a plan that looks rows up by `hub = $1`, filtering the instance id, scans the whole hub once the
 *   table is big (measured: most of the database's time at 2,000 instances). So rows are always found by a
 *   lookup that only the primary key can serve: `instance_id >= $id AND instance_id <= $id ORDER BY
 *   instance_id[, id]` (only the primary key yields that order, so it wins even on an empty table), and
 *   changed through their ctid (a TID scan, which no statistics can turn into anything else). A row changed
 *   by ctid is always locked first, by an earlier statement, so the ctid a lookup returns is its newest
 *   version. enable_seqscan is off for the same reason: on an empty table a sequential scan looks cheapest.
 * - Batches arrive as jsonb; payloads and events travel as JSON strings inside it, so the stored text is
 *   exactly the text the caller gave. A message to deliver is {instance_id, execution_id, event_type, event,
 *   visible_at} (a null visible_at meaning now).
 * - Instances are locked in instance id order (COLLATE "C", the order of the primary key) wherever a
 *   transaction locks several, so two transactions touching the same instances wait, never deadlock.
 */
import type { Migration } from '../../migrate.js';
import { INBOX_FUNCTIONS } from './0002_server_functions/inboxes.js';
import { INSTANCE_FUNCTIONS } from './0002_server_functions/instances.js';
import { CLAIM_FUNCTIONS } from './0002_server_functions/claims.js';
import { STEP_FUNCTIONS } from './0002_server_functions/steps.js';
import { ACTIVITY_RESULT_FUNCTIONS } from './0002_server_functions/activity-results.js';

export const serverFunctions: Migration = {
  version: 2,
  name: 'server_functions',
  sql: [INBOX_FUNCTIONS, INSTANCE_FUNCTIONS, CLAIM_FUNCTIONS, STEP_FUNCTIONS, ACTIVITY_RESULT_FUNCTIONS].join(''),
};
