/** listHubs: every hub holding an instance, in character-code order, and none once deleted. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { start, withBackend, type OpenBackend } from '../fixtures.js';

export function describeHubs(open: OpenBackend): void {
  describe('listHubs', () => {
    it('lists each hub that holds an instance once, in character-code order, and forgets a deleted hub', () =>
      withBackend(open, async (backend, hub) => {
        // Upper case sorts before lower case by character code, unlike most locales' collations.
        const upper = `Hubs-${randomUUID()}`;
        const lower = `hubs-${randomUUID()}`;
        try {
          await start(backend, hub, 'one');
          await start(backend, hub, 'two');
          await start(backend, lower, 'one');
          await start(backend, upper, 'one');
          const hubs = await backend.listHubs();
          for (const name of [hub, upper, lower]) assert.equal(hubs.filter((listed) => listed === name).length, 1, `${name} is listed once`);
          assert.deepEqual(hubs, [...hubs].sort(), 'in character-code order');
          assert.ok(hubs.indexOf(upper) < hubs.indexOf(lower));

          await backend.deleteHub(lower);
          assert.ok(!(await backend.listHubs()).includes(lower), 'a deleted hub is not listed');
        } finally {
          await backend.deleteHub(upper);
          await backend.deleteHub(lower);
        }
      }));
  });
}
