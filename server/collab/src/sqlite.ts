/**
 * A typed door to better-sqlite3 (it ships no types and none are installed):
 * only the calls this package uses. Databases are opened in WAL mode with
 * `synchronous = NORMAL` (durable against process crashes; a power loss may
 * drop the last transactions, never corrupt the file).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@workbench/core';

export interface Statement<P extends unknown[] = unknown[]> {
  run(...params: P): { changes: number; lastInsertRowid: number | bigint };
  get(...params: P): unknown;
  all(...params: P): unknown[];
}

export interface Database {
  prepare<P extends unknown[] = unknown[]>(sql: string): Statement<P>;
  exec(sql: string): void;
  pragma(sql: string): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}

type DatabaseCtor = new (file: string) => Database;

export function openDatabase(dataDir: string, fileName: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const Ctor = process.getBuiltinModule('node:module').createRequire(__filename)('better-sqlite3') as DatabaseCtor;
  let db: Database;
  try {
    db = new Ctor(join(dataDir, fileName));
  } catch (err) {
    throw new AppError('unavailable', `Cannot open ${fileName} in ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
