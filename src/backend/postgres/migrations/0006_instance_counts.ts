/**
 * Counts per status at a million instances (docs/adr/0030-counts-by-index-only-scan.md). Released: never
 * edit. instances_by_hub_status holds (hub, status) alone: deduplicated, it is a few megabytes for a million
 * instances, so a count per status is an index-only scan of it. That scan skips the table only on pages the
 * visibility map marks all-visible, so the instances table asks autovacuum to come by after 2 % of it
 * changed (the default is 20 %, and inserts 20 % too), and so do the tables a purge deletes from.
 */
import type { Migration } from '../../migrate.js';

export const instanceCounts: Migration = {
  version: 6,
  name: 'instance_counts',
  sql: `
CREATE INDEX instances_by_hub_status ON instances (hub, status);
ALTER TABLE instances SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE history SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE instance_tags SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
`,
};
