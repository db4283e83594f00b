/** The instance filter every listing-like route takes in its query string, turned into the client's filter. */
import type { InstanceFilter } from '../client/client.js';
import { optionalDate, optionalStatuses, optionalTags } from './query-values.js';
import type { ListQuery } from './schemas.js';

export type InstanceFilterQuery = Omit<ListQuery, 'showInput' | 'top'>;

export function instanceFilterOf(query: InstanceFilterQuery): InstanceFilter {
  return {
    createdTimeFrom: optionalDate('createdTimeFrom', query.createdTimeFrom),
    createdTimeTo: optionalDate('createdTimeTo', query.createdTimeTo),
    lastUpdatedTimeFrom: optionalDate('lastUpdatedTimeFrom', query.lastUpdatedTimeFrom),
    lastUpdatedTimeTo: optionalDate('lastUpdatedTimeTo', query.lastUpdatedTimeTo),
    runtimeStatus: optionalStatuses(query.runtimeStatus),
    instanceIdPrefix: query.instanceIdPrefix,
    name: query.name,
    tags: optionalTags(query.tag),
  };
}
