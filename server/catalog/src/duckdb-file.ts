/**
 * Reading a DuckDB file that kernels share. DuckDB lets one process hold a
 * database file for writing, and the SQL kernels keep the warehouse
 * attached between cells until someone asks for it by creating
 * `<file>.wait` (kernels/sql/src/sql-kernel.ts); they then let go within
 * about 100 ms. The catalog follows the same protocol: it asks, attaches
 * read-only as soon as the file is free, reads, and detaches at once.
 *
 * A file that does not exist yet is an empty database (no SQL has run).
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError, describeError } from '@workbench/core';

export const ATTACHED = 'src';

export interface DuckDbFileOptions {
  /** Follow the kernels' `.wait` protocol and wait for the file this long (default 30 s). */
  waitMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads DuckDB files, one at a time, in one in-memory DuckDB instance kept
 * for the catalog's life (creating an instance costs tens of ms; attaching
 * a file, about one).
 */
export class DuckDbFiles implements AsyncDisposable {
  private instance: Promise<DuckDBInstance> | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly config: Readonly<Record<string, string>> = { threads: '2' }) {}

  /** Run `fn` with `path` attached read-only as `src`; undefined when the file does not exist. */
  read<T>(path: string, options: DuckDbFileOptions, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T | undefined> {
    const run = this.lane.then(() => this.readNow(path, options, fn));
    this.lane = run.catch(() => undefined);
    return run;
  }

  private async readNow<T>(path: string, options: DuckDbFileOptions, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T | undefined> {
    if (this.disposed) throw new AppError('unavailable', 'Cannot read a DuckDB file: the catalog is shutting down');
    if (!existsSync(path)) return undefined;
    const instance = await (this.instance ??= DuckDBInstance.create(':memory:', { ...this.config }));
    const conn = await instance.connect();
    const onAbort = () => conn.interrupt();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let asked = false;
    let attached = false;
    try {
      const deadline = Date.now() + (options.waitMs ?? 30_000);
      for (;;) {
        options.signal?.throwIfAborted();
        try {
          await conn.run(`ATTACH '${path.replace(/'/g, "''")}' AS ${ATTACHED} (READ_ONLY)`);
          attached = true;
          break;
        } catch (err) {
          const text = describeError(err);
          if (!/lock/i.test(text)) throw new AppError('unavailable', `Cannot open DuckDB file ${path}: ${text}`, { cause: err });
          if (Date.now() > deadline) throw new AppError('unavailable', `Cannot open DuckDB file ${path}: a kernel kept it for over ${Math.round((options.waitMs ?? 30_000) / 1000)} s`, { cause: err });
          if (!asked) {
            // Ask the kernel holding it to let go after its current cell.
            await writeFile(`${path}.wait`, String(process.pid)).catch(() => undefined);
            asked = true;
          }
          await delay(50, undefined, { signal: options.signal });
        }
      }
      if (asked) {
        await rm(`${path}.wait`, { force: true });
        asked = false;
      }
      return await fn(conn);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (asked) await rm(`${path}.wait`, { force: true });
      // Let go at once: the kernels share this file.
      if (attached) await conn.run(`DETACH ${ATTACHED}`).catch(() => undefined);
      conn.closeSync();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    await this.lane;
    const instance = await this.instance?.catch(() => undefined);
    instance?.closeSync();
  }
}
