/**
 * Folding the histogram rollup's counters (docs/adr/0034-histogram-fold.md). Each server process counts into
 * its own slot, so an instance created through one connection and purged through another leaves +1 and -1
 * in two slots: a purge or a deleteHub alone would leave every counter of the minutes it emptied in place.
 * A fold sums each (status, minute) it is given into one of its rows and deletes the rest, and all of them
 * when the sum is zero. It locks with SKIP LOCKED and then writes only rows it holds, so it never waits for
 * a commit and cannot deadlock with one; a counter locked by a running transaction is left out of its group
 * this time, which stays exact (the sum is moved, never recomputed), only less folded.
 */
import { RUNTIME_STATUSES } from '../../core/history.js';
import { inTransaction, type PostgresStore, type Queryable } from './connection.js';
import { toNumber, type BigintText } from './rows.js';

/** Counters read and folded per transaction: a hub's whole rollup is folded page by page. */
const FOLD_PAGE = 10_000;

type CounterRow = { status: string; minute: BigintText; slot: number; count: BigintText };

/**
 * Folds the counters of `hub` in the given creation minutes, or all of the hub's. The minutes themselves,
 * not the range they span: a batch of old instances scattered over a year would otherwise fold every
 * counter of that year. One short transaction per page of counters, after the writes whose counters it
 * folds have committed.
 */
export async function foldHistogram(store: PostgresStore, hub: string, minutes?: readonly number[]): Promise<void> {
  let after: { status: string; minute: string } | undefined;
  for (;;) {
    const next = await inTransaction(store.pool, async ({ client }) => {
      const values: unknown[] = [hub];
      const add = (value: unknown) => `$${values.push(value)}`;
      // Every status and minute named, so the primary key is sought for each pair, not walked from the hub's first minute.
      const range = minutes === undefined ? '' : ` AND status = ANY(${add(RUNTIME_STATUSES)}::text[]) AND minute = ANY(${add([...new Set(minutes)])}::bigint[])`;
      const position = after === undefined ? '' : ` AND (status, minute) > (${add(after.status)}, ${add(after.minute)}::bigint)`;
      const counters = (
        await client.query<CounterRow>(
          `SELECT status, minute, slot, count FROM ${store.tables.instanceHistogram}
          WHERE hub = $1${range}${position}
          ORDER BY status, minute, slot LIMIT ${add(FOLD_PAGE)} FOR UPDATE SKIP LOCKED`,
          values,
        )
      ).rows;
      const full = counters.length === FOLD_PAGE;
      // A full page may end inside a group: its last group is left for the next page, whole.
      const last = counters[counters.length - 1];
      const folded = full ? counters.filter((row) => row.status !== last!.status || row.minute !== last!.minute) : counters;
      await writeFolds(store, client, hub, folded);
      if (!full) return undefined;
      // A group holds at most one counter per slot, far fewer than a page: a full page always folds something.
      return positionOf(folded[folded.length - 1] ?? last!);
    });
    if (next === undefined) return;
    after = next;
  }
}

function positionOf(row: CounterRow): { status: string; minute: string } {
  return { status: row.status, minute: row.minute };
}

async function writeFolds(store: PostgresStore, client: Queryable, hub: string, counters: CounterRow[]): Promise<void> {
  const kept = { status: [] as string[], minute: [] as string[], slot: [] as number[], count: [] as string[] };
  const dropped = { status: [] as string[], minute: [] as string[], slot: [] as number[] };
  for (let start = 0; start < counters.length; ) {
    let end = start + 1;
    while (end < counters.length && counters[end]!.status === counters[start]!.status && counters[end]!.minute === counters[start]!.minute) end++;
    const group = counters.slice(start, end);
    start = end;
    const total = group.reduce((sum, row) => sum + toNumber(row.count), 0);
    if (group.length === 1 && total !== 0) continue;
    const [keeper, ...rest] = group;
    for (const row of total === 0 ? group : rest) {
      dropped.status.push(row.status);
      dropped.minute.push(row.minute);
      dropped.slot.push(row.slot);
    }
    if (total !== 0) {
      kept.status.push(keeper!.status);
      kept.minute.push(keeper!.minute);
      kept.slot.push(keeper!.slot);
      kept.count.push(String(total));
    }
  }
  if (dropped.status.length === 0) return;
  const table = store.tables.instanceHistogram;
  // Both statements touch only rows this transaction locked above: the kept and the dropped are disjoint.
  await client.query(
    `WITH kept AS (
      UPDATE ${table} h SET count = k.count
      FROM unnest($2::text[], $3::bigint[], $4::integer[], $5::bigint[]) AS k(status, minute, slot, count)
      WHERE h.hub = $1 AND h.status = k.status AND h.minute = k.minute AND h.slot = k.slot
    )
    DELETE FROM ${table} h
    USING unnest($6::text[], $7::bigint[], $8::integer[]) AS d(status, minute, slot)
    WHERE h.hub = $1 AND h.status = d.status AND h.minute = d.minute AND h.slot = d.slot`,
    [hub, kept.status, kept.minute, kept.slot, kept.count, dropped.status, dropped.minute, dropped.slot],
  );
}
