/**
 * Tags (src/core/tags.ts). Released: never edit. The instance row holds them as JSON text, read with the
 * row; instance_tags holds one row per tag, keyed like every table by (hub, instance_id), so a tag filter
 * is a lookup of instance_tags_by_value.
 */
import type { Migration } from '../../migrate.js';

export const tags: Migration = {
  version: 4,
  name: 'tags',
  sql: `
ALTER TABLE instances ADD COLUMN tags text;
CREATE TABLE instance_tags (
  hub         text NOT NULL,
  instance_id text COLLATE "C" NOT NULL,
  key         text NOT NULL,
  value       text NOT NULL,
  PRIMARY KEY (hub, instance_id, key)
);
CREATE INDEX instance_tags_by_value ON instance_tags (hub, key, value, instance_id);
`,
};
