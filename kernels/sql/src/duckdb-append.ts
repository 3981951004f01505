/**
 * Bulk load into DuckDB through its Appender (for pulling a PostgreSQL
 * result into the warehouse): rows are coerced to the column types, packed
 * into data chunks and appended, in one transaction, so a failure leaves
 * nothing behind.
 */
import { AppError } from '@workbench/core';
import { DuckDBDataChunkWriter, JSToDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { toSqlError } from './duckdb-error';
import { coerceForType } from './duckdb-values';
import type { ResultColumn } from './render';
import { interruptedError, SqlError } from './sql-error';

export interface AppendOptions {
  /** Create (or replace) the table from `columns` (DuckDB type names) first; otherwise append to the existing table. */
  create?: boolean;
  /** Checked between rows. */
  signal?: AbortSignal;
}

/** `"a"."b"` for `a.b`; each part double-quoted with `"` doubled. */
export function quoteQualified(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

/** Append `rows` to `table` (`name` or `schema.name`) on `conn`; returns how many. */
export async function appendRows(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ResultColumn[],
  rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
  opts: AppendOptions = {},
): Promise<number> {
  const dot = table.indexOf('.');
  const schema = dot < 0 ? null : table.slice(0, dot);
  const name = dot < 0 ? table : table.slice(dot + 1);
  const run = async (sql: string) => {
    try {
      await conn.run(sql);
    } catch (err) {
      throw toSqlError(err, sql);
    }
  };
  await run('BEGIN TRANSACTION');
  let count = 0;
  try {
    if (opts.create) {
      if (columns.length === 0) throw new SqlError(`Cannot create table ${table}: no columns`, { kind: 'engine' });
      await run(`CREATE OR REPLACE TABLE ${quoteQualified(table)} (${columns.map((c) => `"${c.name.replace(/"/g, '""')}" ${c.type}`).join(', ')})`);
    }
    const appender = await conn.createAppender(name, schema).catch((err: unknown) => {
      throw toSqlError(err, table);
    });
    try {
      if (appender.columnCount !== columns.length) {
        throw new SqlError(`Cannot append to ${table}: it has ${appender.columnCount} columns, the rows have ${columns.length}`, { kind: 'engine' });
      }
      const types = columns.map((_, i) => appender.columnType(i));
      const writer = DuckDBDataChunkWriter.forAppender(appender, { converter: JSToDuckDBValueConverter });
      for await (const row of rows) {
        if (opts.signal?.aborted) throw interruptedError(opts.signal);
        let values: unknown[];
        try {
          values = types.map((t, i) => coerceForType(row[i], t));
        } catch (err) {
          throw new SqlError(`Cannot append row ${count + 1} to ${table}: ${(err as Error).message}`, { kind: 'engine' });
        }
        writer.appendRow(values as never[]);
        count++;
      }
      writer.flush();
    } finally {
      appender.closeSync();
    }
    await run('COMMIT');
    return count;
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err instanceof AppError ? err : toSqlError(err, table);
  }
}
