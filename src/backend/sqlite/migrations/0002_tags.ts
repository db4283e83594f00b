/**
 * Tags (src/core/tags.ts). Released: never edit. The instance row holds them as JSON text, read with the
 * row; instance_tags holds one row per tag, so a tag filter is a lookup of instance_tags_by_value.
 */
import type { Migration } from '../../migrate.js';

const sql = `
ALTER TABLE instances ADD COLUMN tags TEXT;
CREATE TABLE instance_tags (
  hub TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (hub, instance_id, key)
) WITHOUT ROWID;
CREATE INDEX instance_tags_by_value ON instance_tags (hub, key, value, instance_id);
`;

export const tags: Migration = { version: 2, name: 'tags', sql };
