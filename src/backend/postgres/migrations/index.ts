/** The PostgreSQL schema's migrations (tables and indexes), in order. Append new ones; never edit or renumber
 *  released ones. Server functions are not migrations: ../sql/. */
import type { Migration } from '../../migrate.js';
import { initial } from './0001_initial.js';
import { serverFunctions } from './0002_server_functions.js';
import { definitions } from './0003_definitions.js';
import { tags } from './0004_tags.js';
import { operationKeys } from './0005_operation_keys.js';
import { instanceCounts } from './0006_instance_counts.js';
import { tagsInListingOrder } from './0007_tags_in_listing_order.js';
import { histogramRollup } from './0008_histogram_rollup.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  initial, serverFunctions, definitions, tags, operationKeys, instanceCounts, tagsInListingOrder, histogramRollup,
];
