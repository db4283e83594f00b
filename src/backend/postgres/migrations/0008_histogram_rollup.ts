/**
 * The histogram's rollup (docs/adr/0032-histogram-rollup.md): instances per (hub, status, minute of
 * creation), kept by row triggers on instances so that no write path (create, step commit, terminate,
 * purge, restart, rewind, batch operations, replacement, deleteHub) can miss it. Released: never edit.
 * `minute` is the start of the creation minute in milliseconds since the epoch. Every commit of a minute's
 * instances changes the same few counters, and a counter row stays locked until its transaction commits,
 * so each server process (pg_backend_pid) counts into its own of SLOTS rows and a read sums them: concurrent
 * commits on different connections do not wait on one another's counter. The last statement backfills what
 * the store already holds.
 */
import type { Migration } from '../../migrate.js';

const SLOTS = 16;
const MINUTE_OF = (row: string) => `${row}.created_at - ((${row}.created_at % 60000) + 60000) % 60000`;

const sql = `
CREATE TABLE instance_histogram (
  hub    text   NOT NULL,
  status text   NOT NULL,
  minute bigint NOT NULL,
  slot   integer NOT NULL,
  count  bigint NOT NULL,
  PRIMARY KEY (hub, status, minute, slot)
);
CREATE FUNCTION instance_histogram_count() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  slot_of_session integer := pg_backend_pid() % ${SLOTS};
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO instance_histogram AS h (hub, status, minute, slot, count)
      VALUES (OLD.hub, OLD.status, ${MINUTE_OF('OLD')}, slot_of_session, -1)
      ON CONFLICT (hub, status, minute, slot) DO UPDATE SET count = h.count - 1;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO instance_histogram AS h (hub, status, minute, slot, count)
      VALUES (NEW.hub, NEW.status, ${MINUTE_OF('NEW')}, slot_of_session, 1)
      ON CONFLICT (hub, status, minute, slot) DO UPDATE SET count = h.count + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER instance_histogram_insert_delete AFTER INSERT OR DELETE ON instances
  FOR EACH ROW EXECUTE FUNCTION instance_histogram_count();
CREATE TRIGGER instance_histogram_update AFTER UPDATE OF hub, status, created_at ON instances
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.hub IS DISTINCT FROM NEW.hub)
  EXECUTE FUNCTION instance_histogram_count();
INSERT INTO instance_histogram (hub, status, minute, slot, count)
  SELECT hub, status, created_at - ((created_at % 60000) + 60000) % 60000, 0, count(*) FROM instances GROUP BY 1, 2, 3;
`;

export const histogramRollup: Migration = { version: 8, name: 'histogram_rollup', sql };
