/**
 * Tags in listing order (docs/adr/0025-tags.md, addendum). Released: never edit. Each tag row carries its
 * instance's listing position (created_at, row_seq), and instance_tags_by_order holds them after the tag,
 * so a page of one tag is a range of that index read in order with a LIMIT, then a page of row lookups,
 * where instance_tags_by_value gave every match of the tag to be sorted (900 matches: 15.6–26.5 ms warm
 * at 1,000,000 instances, docs/benchmarks.md). INCLUDE (instance_id) keeps a tag filter of counts, purges
 * and batches an index-only lookup, so instance_tags_by_value goes. Both positions change only when an
 * instance is created or replaced, and its tags are rewritten then (sql/delivery.sql create_instance).
 * The backfill is one UPDATE … FROM, in the migration's transaction.
 */
import type { Migration } from '../../migrate.js';

export const tagsInListingOrder: Migration = {
  version: 7,
  name: 'tags_in_listing_order',
  sql: `
ALTER TABLE instance_tags ADD COLUMN created_at bigint, ADD COLUMN row_seq bigint;
UPDATE instance_tags t SET created_at = i.created_at, row_seq = i.row_seq
  FROM instances i WHERE i.hub = t.hub AND i.instance_id = t.instance_id;
DELETE FROM instance_tags WHERE created_at IS NULL;
ALTER TABLE instance_tags ALTER COLUMN created_at SET NOT NULL, ALTER COLUMN row_seq SET NOT NULL;
CREATE INDEX instance_tags_by_order ON instance_tags (hub, key, value, created_at, row_seq) INCLUDE (instance_id);
DROP INDEX instance_tags_by_value;
`,
};
