/**
 * A typed door to better-sqlite3 (it ships no types and none are installed):
 * what kysely's SqliteDialect needs plus `pragma` and `close`.
 *
 * Opened for the metadata store: WAL (readers never block the writer),
 * `synchronous = FULL` (a commit is on disk before it returns: an audit
 * record must survive a power loss once the response is sent), foreign
 * keys enforced, and a busy timeout so a second process waits for the
 * write lock instead of failing at once. A new file is created mode 0600
 * in a folder created 0700: it holds token hashes and ciphertexts. SQLite
 * gives its -wal and -shm files the database file's mode.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError, describeError } from '@workbench/core';

export interface SqliteStatement {
  readonly reader: boolean;
  all(parameters: ReadonlyArray<unknown>): unknown[];
  /** The first row, or undefined. */
  get(parameters: ReadonlyArray<unknown>): unknown;
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown>;
}

export interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  close(): void;
  readonly open: boolean;
  /** A transaction is open on this connection (kysely's, between its statements). */
  readonly inTransaction: boolean;
}

type SqliteCtor = new (file: string, options?: { timeout?: number }) => SqliteHandle;

export const MEMORY = ':memory:';

export interface OpenSqliteOptions {
  /** How long a statement waits for another connection's write lock. */
  busyTimeoutMs: number;
}

export function openSqlite(path: string, options: OpenSqliteOptions): SqliteHandle {
  const Ctor = process.getBuiltinModule('node:module').createRequire(__filename)('better-sqlite3') as SqliteCtor;
  let db: SqliteHandle;
  try {
    if (path !== MEMORY) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create it ourselves so the mode is ours; an existing file is left as it is.
      closeSync(openSync(path, 'a', 0o600));
    }
    db = new Ctor(path, { timeout: options.busyTimeoutMs });
  } catch (err) {
    throw new AppError('unavailable', `Cannot open the metadata store at ${path}: ${describeError(err)}`, { cause: err });
  }
  try {
    if (path !== MEMORY) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  } catch (err) {
    db.close();
    throw new AppError('unavailable', `Cannot open the metadata store at ${path}: ${describeError(err)}`, { cause: err });
  }
  return db;
}
