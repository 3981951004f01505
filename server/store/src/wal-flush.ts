/**
 * Writes whose flush to disk overlaps other work (SQLite only).
 *
 * A commit with `synchronous = FULL` waits for an fsync of the WAL (about
 * 0.4 ms on the build machine) before it returns. A writer that has
 * something else to do meanwhile (the audit log while a file is read or a
 * kernel runs code) commits with `synchronous = NORMAL` instead (the
 * transaction is in the WAL, in the OS's cache: it survives the process
 * being killed, not yet a power loss) and gets `durable`, which resolves
 * once an fdatasync of the WAL that started after the commit has
 * finished: then it survives a power loss too, as with FULL. One
 * fdatasync serves every commit made before it started (group commit);
 * it runs on libuv's thread pool, not on the event loop.
 *
 * The write runs synchronously on the raw connection: at once when no
 * transaction is open on it (nothing can interleave with synchronous code),
 * else once kysely hands over the connection (its transaction ended).
 *
 * The level is switched only when it has to be (SyncLevel): a deferred
 * write leaves the connection at NORMAL, and the next statement kysely
 * prepares puts it back to FULL first, so a run of audit records pays for
 * no pragma, and every other write still waits for the disk. (A pragma
 * takes effect when it is prepared, so a prepared one cannot be reused.)
 */
import { closeSync, openSync } from 'node:fs';
import { AppError } from '@workbench/core';
import { GroupFsync } from './group-fsync';
import type { Kysely } from './kysely';
import type { Database } from './schema';
import type { SqliteHandle, SqliteStatement } from './sqlite';

const BEGIN = 'begin immediate';
const COMMIT = 'commit';
const ROLLBACK = 'rollback';
const NO_PARAMS: readonly unknown[] = [];

/** Synchronous statements on the raw connection, each prepared once. */
export interface RawSql {
  get(sql: string, params?: readonly unknown[]): unknown;
  run(sql: string, params?: readonly unknown[]): void;
}

export interface DeferredFlushWriter {
  /**
   * Runs `fn` inside BEGIN IMMEDIATE ... COMMIT without waiting for the
   * disk; resolves once committed, with `durable` for the flush. Rolled
   * back (and rejected) when `fn` throws.
   */
  write<T>(fn: (sql: RawSql) => T): Promise<{ value: T; durable: Promise<void> }>;
  /** Resolves once every commit made before the call is on disk. */
  flush(): Promise<void>;
  /** False once the store is closed. */
  readonly writable: boolean;
}

/**
 * The connection's `synchronous` level: FULL for every statement kysely
 * runs, NORMAL for deferred-flush writes, switched lazily.
 */
export class SyncLevel {
  private relaxed = false;

  constructor(private readonly handle: SqliteHandle) {}

  /** NORMAL, for a deferred-flush write (outside any transaction). */
  relax(): void {
    if (this.relaxed) return;
    this.handle.pragma('synchronous = NORMAL');
    this.relaxed = true;
  }

  /** FULL again. Throws inside a transaction: kysely's statements begin theirs at FULL, and no deferred write runs inside one. */
  strict(): void {
    if (!this.relaxed) return;
    this.handle.pragma('synchronous = FULL');
    this.relaxed = false;
  }

  /** The handle kysely is given: the level is FULL before any statement it prepares (and so runs: kysely prepares then runs, synchronously). */
  strictHandle(): SqliteHandle {
    const { handle } = this;
    return {
      prepare: (text) => {
        this.strict();
        return handle.prepare(text);
      },
      pragma: (text, options) => {
        this.strict();
        return handle.pragma(text, options);
      },
      close: () => handle.close(),
      get open() {
        return handle.open;
      },
      get inTransaction() {
        return handle.inTransaction;
      },
    };
  }
}

export class SqliteDeferredFlush implements DeferredFlushWriter {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly raw: RawSql = {
    get: (text, params = NO_PARAMS) => this.statement(text).get(params),
    run: (text, params = NO_PARAMS) => void this.statement(text).run(params),
  };
  private fd: number | undefined;
  private readonly group = new GroupFsync(() => {
    if (this.closed) throw new Error('the store is closed');
    return (this.fd ??= openSync(this.walPath!, 'r'));
  }, "the metadata store's journal");
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly handle: SqliteHandle,
    private readonly level: SyncLevel,
    private readonly walPath: string | undefined,
  ) {}

  async write<T>(fn: (sql: RawSql) => T): Promise<{ value: T; durable: Promise<void> }> {
    const value = this.handle.inTransaction ? await this.db.connection().execute(async () => this.writeNow(fn)) : this.writeNow(fn);
    return { value, durable: this.flush() };
  }

  private writeNow<T>(fn: (sql: RawSql) => T): T {
    if (this.closed) throw new AppError('unavailable', 'Cannot write to the metadata store: it is closed');
    this.level.relax();
    this.statement(BEGIN).run(NO_PARAMS);
    try {
      const result = fn(this.raw);
      this.statement(COMMIT).run(NO_PARAMS);
      return result;
    } catch (err) {
      if (this.handle.inTransaction) this.statement(ROLLBACK).run(NO_PARAMS);
      throw err;
    }
  }

  /** Resolves once every commit made before this call is on disk. */
  flush(): Promise<void> {
    if (this.walPath === undefined) return Promise.resolve(); // in memory: nothing to flush
    return this.group.sync();
  }

  /** False once the store is closed: nothing can be written any more. */
  get writable(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private statement(text: string): SqliteStatement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.handle.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }
}
