/**
 * The PostgreSQL pool behind kysely's PostgresDialect, shaped so rows come
 * back with the same JS types as from SQLite: `bigint` (int8: times in epoch
 * milliseconds, audit seq, count(*)) as a JS number rather than pg's default
 * string. A value outside Number's safe range fails the query instead of
 * silently losing precision. Every other type keeps pg's parser (the schema
 * uses only text and bigint).
 */
import { Client, Pool, types as pgTypes, type ClientConfig, type CustomTypesConfig, type PoolConfig } from 'pg';
import type { Logger } from '@workbench/core';

const INT8_OID = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot read bigint ${text}: outside the safe integer range`);
  return n;
}

const storeTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

export interface PostgresPoolOptions {
  url: string;
  max: number;
  connectTimeoutMs: number;
  logger: Logger;
}

export interface StorePool {
  readonly pool: Pool;
  /**
   * Resolves when every socket the pool ever opened has closed. pool.end()
   * resolves when its clients have sent Terminate, not when their sockets are
   * gone; dispose waits for this so it leaves no handle behind.
   */
  socketsClosed(): Promise<void>;
}

export function createPool(options: PostgresPoolOptions): StorePool {
  const tracked = createTrackedPool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'workbench',
    types: storeTypes,
  });
  // An idle client's socket error (server restart, network cut) is emitted on
  // the pool; unhandled it would end the process. The pool drops that client.
  tracked.pool.on('error', (err) => options.logger.warn({ err, database: describePostgresUrl(options.url) }, 'Metadata store connection lost'));
  return tracked;
}

/**
 * A pg Pool that knows its sockets, so its owner can wait until every one
 * of them has closed (see StorePool.socketsClosed). Attach an 'error'
 * listener to `pool` before use.
 */
export function createTrackedPool(config: Omit<PoolConfig, 'Client'>): StorePool {
  const open = new Set<Promise<void>>();
  class TrackedClient extends Client {
    constructor(clientConfig: ClientConfig) {
      super(clientConfig);
    }
    override connect(): Promise<void>;
    override connect(callback: (err: Error) => void): void;
    override connect(callback?: (err: Error) => void): Promise<void> | void {
      const socket = this.connection.stream;
      const closed: Promise<void> = new Promise<void>((resolve) => socket.once('close', () => resolve())).then(() => {
        open.delete(closed);
      });
      open.add(closed);
      return callback ? super.connect(callback) : super.connect();
    }
  }
  const pool = new Pool({ ...config, Client: TrackedClient as unknown as PoolConfig['Client'] });
  return {
    pool,
    async socketsClosed() {
      while (open.size > 0) await Promise.all([...open]);
    },
  };
}

/** host:port/database of a postgres:// URL, without credentials: for messages and logs. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable database.url)';
  }
}
