/** The backend-neutral migration planner: order, idempotence, and refusal of edited or unknown migrations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrationChecksum, migrationRecordSql, pendingMigrations, type AppliedMigration, type Migration } from '../../src/backend/migrate.js';

const first: Migration = { version: 1, name: 'initial', sql: 'CREATE TABLE a (x INTEGER)' };
const second: Migration = { version: 2, name: 'add_b', sql: 'CREATE TABLE b (y INTEGER)' };

function applied(migration: Migration): AppliedMigration {
  return { version: migration.version, name: migration.name, checksum: migrationChecksum(migration) };
}

describe('pendingMigrations', () => {
  it('returns every migration, in order, for an empty database', () => {
    assert.deepEqual(pendingMigrations([first, second], []), [first, second]);
  });

  it('returns only what is not applied yet, and nothing once all are', () => {
    assert.deepEqual(pendingMigrations([first, second], [applied(first)]), [second]);
    assert.deepEqual(pendingMigrations([first, second], [applied(first), applied(second)]), []);
  });

  it('refuses a list with gaps, duplicates, a wrong start or bad names', () => {
    assert.throws(() => pendingMigrations([first, { ...second, version: 3 }], []), /expected 2/);
    assert.throws(() => pendingMigrations([first, { ...second, version: 1 }], []), /expected 2/);
    assert.throws(() => pendingMigrations([second], []), /expected 1/);
    assert.throws(() => pendingMigrations([{ ...first, name: 'Has Spaces' }], []), /invalid name/);
    assert.throws(() => pendingMigrations([{ ...first, version: 1.5 }], []), /invalid version/);
  });

  it('refuses a released migration that was edited or renamed since it was applied', () => {
    assert.throws(() => pendingMigrations([{ ...first, sql: `${first.sql} -- edited` }, second], [applied(first)]), /must never be edited/);
    assert.throws(() => pendingMigrations([{ ...first, name: 'renamed' }, second], [applied(first)]), /must never be edited/);
  });

  it('refuses a database that has migrations this code does not know', () => {
    assert.throws(() => pendingMigrations([first], [applied(first), applied(second)]), /newer than this version/);
  });
});

describe('migrationRecordSql', () => {
  it('records version, name and checksum', () => {
    assert.equal(
      migrationRecordSql(second),
      `INSERT INTO taskhub_migrations (version, name, checksum) VALUES (2, 'add_b', '${migrationChecksum(second)}')`,
    );
  });

  it('refuses a name that could break out of the literal', () => {
    assert.throws(() => migrationRecordSql({ ...first, name: "x'); DROP TABLE a; --" }), /invalid name/);
  });
});
