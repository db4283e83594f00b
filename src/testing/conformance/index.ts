/**
 * The conformance suite every Backend passes: the executable definition of the storage contract
 * (src/backend/backend.ts, docs/stores.md). It registers node:test cases with describe/it; a backend's
 * test file, run by `node --test`, calls it with a function that opens a new backend object on one shared
 * store:
 *
 *   import { runBackendConformance } from 'taskhub/testing';
 *   runBackendConformance('sqlite', () => Promise.resolve(new SqliteBackend({ path })));
 *
 * Each test works in a hub of its own (random name), calls migrate() on what it opens, deletes its hub and
 * closes its backends when done, so tests never collide and the suite can run again on the same store.
 * Only the Backend interface and the store's clock are used; lease expiry is waited for in real time.
 */
import { describe } from 'node:test';
import { describeActivities } from './cases/activities.js';
import { describeActivitySteps } from './cases/activity-steps.js';
import { describeCachedHistories } from './cases/cached-histories.js';
import { describeClaims } from './cases/claims.js';
import { describeCommit } from './cases/commit.js';
import { describeCommitOrder } from './cases/commit-order.js';
import { describeHistogram } from './cases/histogram.js';
import { describeHubs } from './cases/hubs.js';
import { describeInstances } from './cases/instances.js';
import { describeKeyedDelivery } from './cases/keyed-delivery.js';
import { describeInstancesById } from './cases/instances-by-id.js';
import { describeListing } from './cases/listing.js';
import { describePurge } from './cases/purge.js';
import { describeSignals } from './cases/signals.js';
import { describeTags } from './cases/tags.js';
import type { OpenBackend } from './fixtures.js';

export type { OpenBackend };

export function runBackendConformance(label: string, openBackend: OpenBackend): void {
  describe(`backend conformance: ${label}`, () => {
    describeInstances(openBackend);
    describeKeyedDelivery(openBackend);
    describeInstancesById(openBackend);
    describeClaims(openBackend);
    describeCommit(openBackend);
    describeCommitOrder(openBackend);
    describeActivities(openBackend);
    describeActivitySteps(openBackend);
    describeCachedHistories(openBackend);
    describeListing(openBackend);
    describePurge(openBackend);
    describeSignals(openBackend);
    describeHistogram(openBackend);
    describeHubs(openBackend);
    describeTags(openBackend);
  });
}
