/**
 * A Parquet file into a PostgreSQL table, whole, for code that may not hold
 * the credential (the close's publish step: gold into the serving schema).
 * DuckDB reads the file and writes it as CSV (every non-null value quoted,
 * NULL unquoted and empty, so NULL and '' stay apart, as extract.ts keeps
 * them on the way in); PostgreSQL reads that CSV with `COPY ... FROM STDIN`
 * into `<table>__loading`, created with the PostgreSQL type of each Parquet
 * type (decimals stay numeric(p,s): money is never a float). In the same
 * transaction the previous table is dropped and the new one renamed into
 * place, so readers see the old table or the new one, never half of one,
 * and a failed load (a bad file, a refused value, a dependent view) leaves
 * the previous table as it was.
 *
 * Schema, table and column names are validated and quoted; a table's name
 * leaves room for the `__loading` suffix within PostgreSQL's 63 bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { AppError, describeError } from '@workbench/core';

export interface LoadOptions {
  schema: string;
  table: string;
  signal?: AbortSignal;
  /** DuckDB threads for reading the file. Default 2. */
  threads?: number;
}

export interface LoadResult {
  schema: string;
  table: string;
  rows: number;
  columns: { name: string; parquet_type: string; type: string }[];
  /** SHA-256 of the Parquet file loaded. */
  sha256: string;
  elapsed_ms: number;
}

/** A PostgreSQL identifier Workbench creates: plain, so it needs no quoting to be typed by hand. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const SUFFIX = '__loading';

/** The Parquet (DuckDB) type -> the PostgreSQL type its column is created with; undefined when there is none. */
export function pgTypeOf(duckType: string): string | undefined {
  const t = duckType.toUpperCase();
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `numeric(${dec[1]},${dec[2]})`;
  switch (t) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'UTINYINT':
      return 'int2';
    case 'INTEGER':
    case 'USMALLINT':
      return 'int4';
    case 'BIGINT':
    case 'UINTEGER':
      return 'int8';
    case 'HUGEINT':
    case 'UBIGINT':
    case 'UHUGEINT':
      return 'numeric';
    case 'FLOAT':
      return 'float4';
    case 'DOUBLE':
      return 'float8';
    case 'BOOLEAN':
      return 'boolean';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return 'timestamp';
    case 'TIMESTAMP WITH TIME ZONE':
      return 'timestamptz';
    case 'VARCHAR':
      return 'text';
    case 'UUID':
      return 'uuid';
    default:
      return undefined;
  }
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteText = (s: string) => `'${s.replace(/'/g, "''")}'`;

function checkIdentifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) throw new AppError('bad_request', `Cannot load: ${what} must be 1-63 letters, digits or _, not starting with a digit`);
  return value;
}

export async function loadParquet(pool: Pool, parquet: string, options: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const schema = checkIdentifier(options.schema, 'schema');
  const table = checkIdentifier(options.table, 'table');
  if (table.length + SUFFIX.length > 63) throw new AppError('bad_request', `Cannot load: table must be at most ${63 - SUFFIX.length} characters (the loading table adds ${SUFFIX})`);
  if (!parquet.endsWith('.parquet')) throw new AppError('bad_request', 'Cannot load: the file name must end in .parquet');
  const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const loading = `${quoteIdent(schema)}.${quoteIdent(table + SUFFIX)}`;

  const dir = await mkdtemp(join(tmpdir(), 'wb-load-'));
  const csv = join(dir, 'rows.csv');
  let client: PoolClient | undefined;
  let broken = false;
  const cancel = () => {
    const pid = (client as unknown as { processID?: number } | undefined)?.processID;
    if (pid !== undefined) void pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const hash = createHash('sha256');
    try {
      await pipeline(createReadStream(parquet), hash);
    } catch (err) {
      throw new AppError('bad_request', `Cannot load: cannot read the file (${describeError(err)})`, { cause: err });
    }
    const sha256 = hash.digest('hex');
    const columns = await toCsv(parquet, csv, options.threads ?? 2);
    options.signal?.throwIfAborted();
    try {
      client = await pool.connect();
    } catch (err) {
      throw new AppError('unavailable', `Cannot load: cannot connect (${describeError(err)})`, { cause: err });
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query('BEGIN');
    let rows: number;
    try {
      await client.query(`DROP TABLE IF EXISTS ${loading}`);
      await client.query(`CREATE TABLE ${loading} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
      const copy = client.query(copyFrom(`COPY ${loading} FROM STDIN WITH (FORMAT csv)`));
      await pipeline(createReadStream(csv), copy);
      rows = Number((copy as unknown as { rowCount?: number }).rowCount ?? 0);
      // Swap: readers of the old table wait for the commit, then see the new one.
      await client.query(`DROP TABLE IF EXISTS ${target}`);
      await client.query(`ALTER TABLE ${loading} RENAME TO ${quoteIdent(table)}`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
    return { schema, table, rows, columns, sha256, elapsed_ms: Math.round(performance.now() - started) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as { message?: string; code?: string };
    if (options.signal?.aborted) throw new AppError('bad_request', 'Cannot load: the client went away', { cause: err });
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) throw new AppError('bad_request', `Cannot load ${schema}.${table}: ${e.message}`, { cause: err, details: { public: { sqlstate: e.code } } });
    throw new AppError('unavailable', `Cannot load ${schema}.${table}: ${describeError(err)}`, { cause: err });
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    client?.release(broken);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The file's rows as CSV for COPY FROM (NULL unquoted and empty, every other value quoted), and its columns' types. */
async function toCsv(parquet: string, csv: string, threads: number): Promise<LoadResult['columns']> {
  const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  try {
    // Times with a zone are written in UTC with their offset, whatever this machine's zone is.
    await conn.run(`SET TimeZone = 'UTC'`);
    const read = `read_parquet(${quoteText(parquet)})`;
    let described: Record<string, unknown>[];
    try {
      described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${read}`)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (err) {
      throw new AppError('bad_request', `Cannot load: the file is not readable Parquet (${describeError(err)})`, { cause: err });
    }
    const columns = described.map((r) => ({ name: String(r.column_name), parquet_type: String(r.column_type), type: pgTypeOf(String(r.column_type)) ?? '' }));
    if (columns.length === 0) throw new AppError('bad_request', 'Cannot load: the file has no columns');
    for (const c of columns) {
      if (c.type === '') throw new AppError('bad_request', `Cannot load: column ${JSON.stringify(c.name)} is ${c.parquet_type}, which has no PostgreSQL type here (cast it to text or a number first)`);
      if (c.name === '' || Buffer.byteLength(c.name) > 63) throw new AppError('bad_request', `Cannot load: column name ${JSON.stringify(c.name.slice(0, 80))} must be 1-63 bytes`);
    }
    if (new Set(columns.map((c) => c.name)).size !== columns.length) throw new AppError('bad_request', 'Cannot load: two columns have the same name');
    try {
      await conn.run(`COPY (SELECT * FROM ${read}) TO ${quoteText(csv)} (FORMAT csv, HEADER false, FORCE_QUOTE *, NULLSTR '')`);
    } catch (err) {
      throw new AppError('bad_request', `Cannot load: cannot read the rows of the file (${describeError(err)})`, { cause: err });
    }
    return columns;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
