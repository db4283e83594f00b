/**
 * Operation keys (docs/adr/0031-batch-operations-exactly-once.md): the keys under which sendMessagesOnce
 * put a message in an instance's inbox, so a second delivery under the same key is refused. Released:
 * never edit. The cascade drops an instance's keys with its row, whichever path deletes it (purge,
 * deleteHub); a replacement updates the row in place and keeps them.
 */
import type { Migration } from '../../migrate.js';

export const operationKeys: Migration = {
  version: 5,
  name: 'operation_keys',
  sql: `
CREATE TABLE operation_keys (
  hub           text NOT NULL,
  instance_id   text COLLATE "C" NOT NULL,
  operation_key text NOT NULL,
  PRIMARY KEY (hub, instance_id, operation_key),
  FOREIGN KEY (hub, instance_id) REFERENCES instances (hub, instance_id) ON DELETE CASCADE
);
`,
};
