/**
 * Tags in listing order (docs/adr/0025-tags.md, addendum). Released: never edit. Each tag row carries its
 * instance's listing position (created_at, row_seq), and instance_tags_by_order holds them after the tag
 * (and, the table being WITHOUT ROWID, the instance_id of its primary key), so a page of one tag is a range
 * of that index read in order with a LIMIT, then a page of row lookups, where instance_tags_by_value gave
 * every match of the tag to be sorted (900 matches: 3.3–11.6 ms warm at 1,000,000 instances,
 * docs/benchmarks.md). Both positions change only when an instance is created or replaced, and its tags
 * are written then (instances.ts). The backfill is one UPDATE … FROM, in the migration's transaction;
 * a tag row without its instance (none should exist) is dropped rather than left out of order.
 */
import type { Migration } from '../../migrate.js';

const sql = `
ALTER TABLE instance_tags ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instance_tags ADD COLUMN row_seq INTEGER NOT NULL DEFAULT 0;
DELETE FROM instance_tags WHERE NOT EXISTS
  (SELECT 1 FROM instances i WHERE i.hub = instance_tags.hub AND i.instance_id = instance_tags.instance_id);
UPDATE instance_tags SET created_at = i.created_at, row_seq = i.row_seq
  FROM instances i WHERE i.hub = instance_tags.hub AND i.instance_id = instance_tags.instance_id;
CREATE INDEX instance_tags_by_order ON instance_tags (hub, key, value, created_at, row_seq);
DROP INDEX instance_tags_by_value;
`;

export const tagsInListingOrder: Migration = { version: 4, name: 'tags_in_listing_order', sql };
