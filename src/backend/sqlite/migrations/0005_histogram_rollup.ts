/**
 * The histogram's rollup (docs/adr/0032-histogram-rollup.md): instances per (hub, status, minute of
 * creation), kept by triggers on instances so that no write path (create, step commit, terminate, purge,
 * restart, rewind, batch operations, replacement, deleteHub) can miss it. Released: never edit. The
 * minute is the start of the creation minute in milliseconds since the epoch. The last statement backfills
 * what the store already holds.
 */
import type { Migration } from '../../migrate.js';

const MINUTE_OF = (row: string) => `${row}.created_at - ((${row}.created_at % 60000) + 60000) % 60000`;

const sql = `
CREATE TABLE instance_histogram (
  hub TEXT NOT NULL,
  status TEXT NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (hub, status, minute)
) WITHOUT ROWID;
CREATE TRIGGER instance_histogram_insert AFTER INSERT ON instances BEGIN
  INSERT INTO instance_histogram (hub, status, minute, count) VALUES (new.hub, new.status, ${MINUTE_OF('new')}, 1)
    ON CONFLICT (hub, status, minute) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER instance_histogram_update AFTER UPDATE OF hub, status, created_at ON instances
  WHEN old.status IS NOT new.status OR old.created_at IS NOT new.created_at OR old.hub IS NOT new.hub BEGIN
  UPDATE instance_histogram SET count = count - 1 WHERE hub = old.hub AND status = old.status AND minute = ${MINUTE_OF('old')};
  INSERT INTO instance_histogram (hub, status, minute, count) VALUES (new.hub, new.status, ${MINUTE_OF('new')}, 1)
    ON CONFLICT (hub, status, minute) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER instance_histogram_delete AFTER DELETE ON instances BEGIN
  UPDATE instance_histogram SET count = count - 1 WHERE hub = old.hub AND status = old.status AND minute = ${MINUTE_OF('old')};
END;
INSERT INTO instance_histogram (hub, status, minute, count)
  SELECT hub, status, created_at - ((created_at % 60000) + 60000) % 60000 AS minute, count(*) FROM instances GROUP BY 1, 2, 3;
`;

export const histogramRollup: Migration = { version: 5, name: 'histogram_rollup', sql };
