/** Every SQLite schema migration, in order. Append only. */
import type { Migration } from '../../migrate.js';
import { initial } from './0001_initial.js';
import { tags } from './0002_tags.js';
import { operationKeys } from './0003_operation_keys.js';
import { tagsInListingOrder } from './0004_tags_in_listing_order.js';
import { histogramRollup } from './0005_histogram_rollup.js';
import { histogramDropsEmptyMinutes } from './0006_histogram_drops_empty_minutes.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [initial, tags, operationKeys, tagsInListingOrder, histogramRollup, histogramDropsEmptyMinutes];
