/**
 * The histogram rollup's counters that fall to zero are deleted (docs/adr/0034-histogram-fold.md): without
 * it, every minute an instance ever left a status kept a zero row, and a purge or deleteHub left all the
 * counters of the minutes it emptied. SQLite has one writer and one counter per (hub, status, minute), so
 * a counter at zero is exactly a minute without such instances. Released: never edit. The last statement
 * drops the zero counters the store already holds.
 */
import type { Migration } from '../../migrate.js';

const MINUTE_OF = (row: string) => `${row}.created_at - ((${row}.created_at % 60000) + 60000) % 60000`;

const DECREMENT_OLD = `
  UPDATE instance_histogram SET count = count - 1 WHERE hub = old.hub AND status = old.status AND minute = ${MINUTE_OF('old')};
  DELETE FROM instance_histogram WHERE hub = old.hub AND status = old.status AND minute = ${MINUTE_OF('old')} AND count = 0;`;

const sql = `
DROP TRIGGER instance_histogram_update;
DROP TRIGGER instance_histogram_delete;
CREATE TRIGGER instance_histogram_update AFTER UPDATE OF hub, status, created_at ON instances
  WHEN old.status IS NOT new.status OR old.created_at IS NOT new.created_at OR old.hub IS NOT new.hub BEGIN${DECREMENT_OLD}
  INSERT INTO instance_histogram (hub, status, minute, count) VALUES (new.hub, new.status, ${MINUTE_OF('new')}, 1)
    ON CONFLICT (hub, status, minute) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER instance_histogram_delete AFTER DELETE ON instances BEGIN${DECREMENT_OLD}
END;
DELETE FROM instance_histogram WHERE count = 0;
`;

export const histogramDropsEmptyMinutes: Migration = { version: 6, name: 'histogram_drops_empty_minutes', sql };
