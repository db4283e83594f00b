/** The PostgreSQL schema's migrations, in order. Append new ones; never edit or renumber released ones. */
import type { Migration } from '../../migrate.js';
import { initial } from './0001_initial.js';
import { serverFunctions } from './0002_server_functions.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [initial, serverFunctions];
