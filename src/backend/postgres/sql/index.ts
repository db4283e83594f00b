/**
 * The PostgreSQL server functions, one .sql file per module that calls them, in the order they are
 * installed. They are repeatable definitions, not migrations: schema.ts re-creates a file's functions
 * whenever its text changes (its checksum is recorded in taskhub_definitions), so a fix is an edit of the
 * file. Tables and indexes stay in the numbered, immutable migrations (../migrations/). The build copies
 * the files next to the compiled modules (scripts/copy-sql.js).
 *
 * How the functions are written:
 * - Every function is VOLATILE (the default), so each statement inside it takes a fresh snapshot and sees
 *   every commit before it, as separate statements did.
 * - `SET search_path FROM CURRENT` binds the unqualified names to the store's schema at creation (they are
 *   installed with search_path set to it), so the text, and its checksum, is the same for every schema.
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
 * - Each file creates its functions with plain CREATE FUNCTION: the installer drops the functions a file
 *   creates before running it, so a change of arguments or result needs nothing more.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Definition {
  /** The file's name without `.sql`. */
  name: string;
  sql: string;
}

const FILES = ['delivery', 'claims', 'commit', 'activities'] as const;

export const POSTGRES_DEFINITIONS: readonly Definition[] = FILES.map((name) => ({
  name,
  sql: readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8'),
}));

export function definitionChecksum(definition: Definition): string {
  return createHash('sha256').update(definition.sql).digest('hex');
}

/** The functions a definition creates, to drop before it runs again. */
export function definedFunctions(definition: Definition): string[] {
  return [...definition.sql.matchAll(/^CREATE FUNCTION (\w+)\(/gm)].map((match) => match[1]!);
}
