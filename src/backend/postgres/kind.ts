/** The PostgreSQL store kind: `postgres://…` or `postgresql://…`, with taskhub's `schema` and `pool_size` parameters. */
import { InvalidArgumentError } from '../../errors.js';
import { redactConnectionString } from '../../secrets.js';
import type { OpenBackendOptions } from '../open-options.js';

export const postgresStore = {
  name: 'postgres',
  form: 'postgres://user@host:port/database',
  accepts: (connectionString: string) => /^postgres(ql)?:\/\//i.test(connectionString),
  async open(connectionString: string, options: OpenBackendOptions) {
    const settings = postgresSettings(connectionString);
    const { PostgresBackend } = await import('./index.js');
    return new PostgresBackend({
      connectionString: settings.connectionString,
      schema: options.postgresSchema ?? settings.schema,
      poolSize: options.postgresPoolSize ?? settings.poolSize,
      statementTimeoutMs: options.postgresStatementTimeoutMs,
    });
  },
} as const;

interface PostgresSettings {
  /** The URL without taskhub's own parameters, for the driver. */
  connectionString: string;
  schema?: string;
  poolSize?: number;
}

/** Takes taskhub's parameters (`schema`, `pool_size`) out of a PostgreSQL URL; the driver's own
 *  (`statement_timeout`, `options`, `sslmode`, …) stay in it. */
function postgresSettings(connectionString: string): PostgresSettings {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new InvalidArgumentError(`the PostgreSQL connection string '${redactConnectionString(connectionString)}' is not a valid URL`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  const poolSizeText = url.searchParams.get('pool_size') ?? undefined;
  let poolSize: number | undefined;
  if (poolSizeText !== undefined) {
    poolSize = Number(poolSizeText);
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
      throw new InvalidArgumentError(`pool_size in the PostgreSQL connection string must be a whole number from 1 to 1000, not '${poolSizeText}'`);
    }
  }
  if (schema === undefined && poolSizeText === undefined) return { connectionString };
  url.searchParams.delete('schema');
  url.searchParams.delete('pool_size');
  return { connectionString: url.toString(), schema, poolSize };
}
