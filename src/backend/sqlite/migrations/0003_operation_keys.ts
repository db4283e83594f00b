/**
 * Operation keys (docs/adr/0031-batch-operations-exactly-once.md): the keys under which sendMessagesOnce
 * put a message in an instance's inbox, so a second delivery under the same key is refused. Released:
 * never edit. The trigger drops an instance's keys with its row, whichever path deletes it (purge,
 * replacement, deleteHub).
 */
import type { Migration } from '../../migrate.js';

const sql = `
CREATE TABLE operation_keys (
  hub TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  operation_key TEXT NOT NULL,
  PRIMARY KEY (hub, instance_id, operation_key)
) WITHOUT ROWID;
CREATE TRIGGER operation_keys_of_deleted_instance AFTER DELETE ON instances BEGIN
  DELETE FROM operation_keys WHERE hub = old.hub AND instance_id = old.instance_id;
END;
`;

export const operationKeys: Migration = { version: 3, name: 'operation_keys', sql };
