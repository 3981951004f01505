/**
 * openStore: the metadata database, embedded SQLite by default and
 * PostgreSQL when `database.url` is set (several gateway replicas on one
 * database), behind one kysely instance and one schema. Migrations run on
 * open. Both dialects return the same JS types: times are epoch
 * milliseconds as numbers, JSON columns are text.
 */
import { createHash } from 'node:crypto';
import { AppError, describeError, raceSignal, silentLogger, toAsyncDisposable, type AsyncDisposableLike, type Logger } from '@workbench/core';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  sql,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
  type Transaction,
} from './kysely';
import { migrate, type MigrationList } from './migrate';
import { MIGRATIONS, type StoreDialect } from './migrations';
import { localHeldLocks, postgresHeldLocks, type HeldLocks, type ReleaseLock } from './held-lock';
import { createPool, describePostgresUrl } from './postgres';
import type { Database } from './schema';
import { MEMORY, openSqlite, type SqliteHandle } from './sqlite';
import { SqliteDeferredFlush, SyncLevel, type DeferredFlushWriter } from './wal-flush';

export interface StoreOptions {
  /** `postgres://user:password@host:port/database`: use PostgreSQL. */
  url?: string;
  /** The SQLite file when no url is given (created 0600 with its folder); `:memory:` for a private in-memory database. */
  sqlitePath?: string;
  logger?: Logger;
  /** Aborts opening (connecting, checking the schema). A migration already running completes first. */
  signal?: AbortSignal;
  /** PostgreSQL pool size per process. Default 10. */
  poolMax?: number;
  /** PostgreSQL connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
  /** How long a SQLite write waits for another process's write lock. Default 5 s. */
  busyTimeoutMs?: number;
  /** The migrations to apply; tests only (the default is every migration of this package). */
  migrations?: MigrationList;
}

export interface MetadataStore extends AsyncDisposableLike {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Migrations this open applied (empty when the schema was already current). */
  readonly migrationsApplied: readonly string[];
  /**
   * Runs `fn` in one transaction (committed when it resolves, rolled back when it throws).
   * On SQLite the transaction takes the write lock at BEGIN (IMMEDIATE), so a
   * read-then-write cannot be overtaken by another process.
   */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /**
   * Serialises transactions that take the same named lock until they end,
   * across processes and replicas (PostgreSQL: a transaction-level advisory
   * lock). On SQLite every transaction already excludes every other writer,
   * so this does nothing. Used e.g. to append to the audit hash chain.
   */
  lock(trx: Transaction<Database>, name: string): Promise<void>;
  /**
   * A named lock held outside any transaction, for work that takes minutes,
   * across every process and replica on this store (PostgreSQL: a session
   * advisory lock on a connection of its own; SQLite: within this process,
   * as one server runs per SQLite database). Waits until it is free;
   * `signal` ends the wait. See held-lock.ts.
   */
  holdLock(name: string, signal?: AbortSignal): Promise<ReleaseLock>;
  /** The same lock if it is free now; undefined while another holds it. */
  tryHoldLock(name: string): Promise<ReleaseLock | undefined>;
  /**
   * SQLite only (undefined on PostgreSQL, whose commits are durable when
   * they return): writes that commit without waiting for the disk and say
   * when they are durable, so a writer can overlap the flush with other
   * work (wal-flush.ts).
   */
  readonly deferredFlush?: DeferredFlushWriter;
  /** The SQLite database's file (undefined on PostgreSQL and for an in-memory database): files that belong with it go beside it. */
  readonly file?: string;
  /** True once disposed: nothing can be written any more. */
  readonly closed: boolean;
  /** Closes the pool or the database file. Idempotent. */
  [Symbol.asyncDispose](): Promise<void>;
}

export async function openStore(options: StoreOptions): Promise<MetadataStore> {
  const logger = (options.logger ?? silentLogger).child({ component: 'store' });
  options.signal?.throwIfAborted();
  const opened = options.url !== undefined ? openPostgres(options, logger) : openSqliteStore(options);
  try {
    await probe(opened, options);
    options.signal?.throwIfAborted();
    const applied = await migrate(opened.db, opened.dialect, options.migrations ?? MIGRATIONS, logger);
    return makeStore(opened, applied);
  } catch (err) {
    await opened.close().catch((closeErr: unknown) => logger.warn({ err: describeError(closeErr) }, 'Metadata store did not close cleanly after a failed open'));
    throw err;
  }
}

interface Opened {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Where, for messages (no credentials). */
  where: string;
  deferredFlush?: DeferredFlushWriter;
  file?: string;
  heldLocks: HeldLocks;
  close(): Promise<void>;
}

function openPostgres(options: StoreOptions, logger: Logger): Opened {
  const url = options.url!;
  const { pool, socketsClosed } = createPool({ url, max: options.poolMax ?? 10, connectTimeoutMs: options.connectTimeoutMs ?? 10_000, logger });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    where: `PostgreSQL at ${describePostgresUrl(url)}`,
    heldLocks: postgresHeldLocks(pool),
    async close() {
      try {
        await db.destroy();
      } finally {
        // kysely ends the pool only if it ever used it.
        if (!pool.ending) await pool.end();
        await socketsClosed();
      }
    },
  };
}

function openSqliteStore(options: StoreOptions): Opened {
  const path = options.sqlitePath;
  if (path === undefined) throw new AppError('internal', 'Cannot open the metadata store: neither url nor sqlitePath was given');
  const handle: SqliteHandle = openSqlite(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5_000 });
  // kysely's statements run at synchronous = FULL; the deferred-flush writes switch to NORMAL when they need it.
  const level = new SyncLevel(handle);
  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect({ database: level.strictHandle() }) });
  const deferredFlush = new SqliteDeferredFlush(db, handle, level, path === MEMORY ? undefined : `${path}-wal`);
  return {
    db,
    dialect: 'sqlite',
    where: `SQLite at ${path}`,
    deferredFlush,
    file: path === MEMORY ? undefined : path,
    heldLocks: localHeldLocks(),
    async close() {
      try {
        await db.destroy();
      } finally {
        deferredFlush.close();
        // kysely closes the file only if it ever used it.
        if (handle.open) handle.close();
      }
    },
  };
}

/**
 * kysely's SQLite driver begins DEFERRED transactions; ours take the write
 * lock at BEGIN, so a transaction that reads then writes is never refused
 * midway because another process wrote first (busy_timeout covers the wait).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite has transactional DDL; kysely's adapter says it has not, which
 * would run migrations outside a transaction (a failed one half-applied,
 * two processes migrating at once). Saying it has makes the Migrator run
 * all pending migrations in one BEGIN IMMEDIATE transaction.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** First contact: turns an unreachable server or a missing database into one clear error. */
async function probe(opened: Opened, options: StoreOptions): Promise<void> {
  try {
    await raceSignal(sql`select 1`.execute(opened.db), options.signal, 'open the metadata store');
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new AppError('unavailable', `Cannot open the metadata store: ${opened.where}: ${describeError(err)}`, { cause: err });
  }
}

function makeStore(opened: Opened, applied: string[]): MetadataStore {
  const { db, dialect } = opened;
  let closed = false;
  const disposable = toAsyncDisposable(() => {
    closed = true;
    return opened.close();
  });
  return {
    get closed() {
      return closed;
    },
    db,
    dialect,
    migrationsApplied: Object.freeze(applied),
    deferredFlush: opened.deferredFlush,
    file: opened.file,
    transaction: (fn) => db.transaction().execute(fn),
    async lock(trx, name) {
      if (dialect !== 'postgres') return;
      await sql`select pg_advisory_xact_lock(${advisoryLockKey(name)}::bigint)`.execute(trx);
    },
    holdLock: (name, signal) => opened.heldLocks.hold(name, advisoryLockKey(name), signal),
    tryHoldLock: (name) => opened.heldLocks.tryHold(name, advisoryLockKey(name)),
    [Symbol.asyncDispose]: () => Promise.resolve(disposable[Symbol.asyncDispose]()),
  };
}

/** A signed 64-bit advisory lock key from a name (first 8 bytes of its sha256), as decimal text. */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(`workbench:${name}`).digest().readBigInt64BE(0).toString();
}
