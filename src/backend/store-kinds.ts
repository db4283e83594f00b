/**
 * The kinds of store taskhub opens, read by openBackend, the HTTP connection resolver and the test matrix.
 * A kind recognises its connection strings and opens a backend from one, loading its driver only then. A
 * new store is a folder under src/backend/ with its kind.ts, plus one line in STORE_KINDS (docs/stores.md).
 */
import type { Backend } from './backend.js';
import type { OpenBackendOptions } from './open-options.js';
import { postgresStore } from './postgres/kind.js';
import { sqliteStore } from './sqlite/kind.js';

export interface StoreKind {
  /** The store's name in TASKHUB_TEST_STORES and in messages. */
  readonly name: string;
  /** The shape of its connection strings, for messages: `sqlite:<path>`. */
  readonly form: string;
  accepts(connectionString: string): boolean;
  /** A backend object on the store, not yet migrated. */
  open(connectionString: string, options: OpenBackendOptions): Promise<Backend>;
}

export const STORE_KINDS = [sqliteStore, postgresStore] as const satisfies readonly StoreKind[];

export type StoreKindName = (typeof STORE_KINDS)[number]['name'];

export const STORE_KIND_NAMES: readonly StoreKindName[] = STORE_KINDS.map((kind) => kind.name);

export function storeKindOf(connectionString: string): StoreKind | undefined {
  return STORE_KINDS.find((kind) => kind.accepts(connectionString));
}

/** "'sqlite:<path>' or 'postgres://…'": every form a connection string may take. */
export function connectionStringForms(): string {
  const forms = STORE_KINDS.map((kind) => `'${kind.form}'`);
  return forms.length > 1 ? `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}` : forms.join('');
}
