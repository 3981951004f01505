/**
 * A query's whole result from a PostgreSQL connection into a Parquet file,
 * fast and exact, for code that may not hold the credential (a pipeline's
 * bronze extract from Odoo). PostgreSQL formats the rows itself
 * (`COPY (query) TO STDOUT`, every value quoted so NULL and '' stay apart)
 * inside one READ ONLY REPEATABLE READ snapshot; DuckDB casts each column
 * to the type PostgreSQL declared (numerics stay decimals: money is never
 * a float) and writes Parquet. The file appears whole or not at all (a
 * temporary file renamed into place), so a failed extract leaves the
 * previous one as it was.
 *
 * COPY takes no bind parameters, so `$1`-style parameters are found with
 * PostgreSQL's own parser (libpg-query: ParamRef nodes and their byte
 * offsets) and replaced by quoted literals; only one SELECT is accepted.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { parse } from 'libpg-query';
import { AppError, describeError } from '@workbench/core';
import type { QueryColumn } from './query';

export interface ExtractOptions {
  params?: readonly unknown[];
  signal?: AbortSignal;
  /** DuckDB threads for the conversion. Default 2. */
  threads?: number;
}

export interface ExtractResult {
  columns: (QueryColumn & { parquet_type: string })[];
  rows: number;
  bytes: number;
  /** SHA-256 of the Parquet file (the same snapshot and query give the same file). */
  sha256: string;
  elapsed_ms: number;
}

type Json = { [k: string]: unknown };

/** The one SELECT of `sql` with its parameters as literals, checked by PostgreSQL's parser. */
export async function inlineParameters(sql: string, params: readonly unknown[], literal: (v: string) => string): Promise<string> {
  let tree: { stmts?: { stmt?: Json }[] };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    throw new AppError('bad_request', `Cannot extract: the SQL does not parse (${describeError(err)})`);
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1 || !stmts[0]!.stmt || !('SelectStmt' in stmts[0]!.stmt)) throw new AppError('bad_request', 'Cannot extract: give exactly one SELECT (or WITH ... SELECT) statement');
  const refs: { number: number; location: number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node as Json)) {
        if (k === 'ParamRef' && v && typeof v === 'object') refs.push({ number: Number((v as Json).number), location: Number((v as Json).location) });
        else walk(v);
      }
    }
  };
  walk(stmts[0]!.stmt);
  for (const r of refs) if (r.number < 1 || r.number > params.length) throw new AppError('bad_request', `Cannot extract: $${r.number} has no parameter (${params.length} given)`);
  const bytes = Buffer.from(sql.replace(/;\s*$/, ''), 'utf8');
  const parts: Buffer[] = [];
  let at = 0;
  for (const r of refs.sort((a, b) => a.location - b.location)) {
    const len = Buffer.byteLength(`$${r.number}`);
    parts.push(bytes.subarray(at, r.location), Buffer.from(literalOf(params[r.number - 1], literal)));
    at = r.location + len;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

function literalOf(v: unknown, literal: (v: string) => string): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new AppError('bad_request', `Cannot extract: parameter ${v} is not a finite number`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return literal(v);
  if (v instanceof Date) return literal(v.toISOString());
  throw new AppError('bad_request', 'Cannot extract: parameters must be strings, numbers, booleans or null');
}

/** PostgreSQL's declared type (format_type) -> the DuckDB type its text is cast to. */
export function duckTypeOf(pgType: string): string {
  const t = pgType.toLowerCase();
  const num = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (num && Number(num[1]) <= 38) return `DECIMAL(${num[1]},${num[2]})`;
  if (t === 'numeric' || t.startsWith('numeric(')) return 'DECIMAL(38,12)';
  if (t === 'smallint' || t === 'integer') return 'INTEGER';
  if (t === 'bigint') return 'BIGINT';
  if (t === 'real' || t === 'double precision') return 'DOUBLE';
  if (t === 'boolean') return 'BOOLEAN';
  if (t === 'date') return 'DATE';
  if (t.startsWith('timestamp') && t.includes('with time zone')) return 'TIMESTAMPTZ';
  if (t.startsWith('timestamp')) return 'TIMESTAMP';
  return 'VARCHAR';
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteText = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function extractToParquet(pool: Pool, sql: string, dest: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const started = performance.now();
  if (typeof sql !== 'string' || sql.trim() === '') throw new AppError('bad_request', 'Cannot extract: sql must be non-empty text');
  if (!dest.endsWith('.parquet')) throw new AppError('bad_request', 'Cannot extract: the file name must end in .parquet');
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new AppError('unavailable', `Cannot extract: cannot connect (${describeError(err)})`, { cause: err });
  }
  const pid = (client as unknown as { processID?: number }).processID;
  const cancel = () => {
    if (pid !== undefined) void pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.~extract-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const csv = `${tmp}.csv`;
  const parquet = `${tmp}.parquet`;
  let broken = false;
  try {
    const text = await inlineParameters(sql, options.params ?? [], (v) => client.escapeLiteral(v));
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let columns: ExtractResult['columns'];
    let rows: number;
    try {
      const shape = await client.query({ text: `SELECT * FROM (${text}) AS q LIMIT 0`, rowMode: 'array' });
      columns = [];
      for (const f of shape.fields) {
        const type = String((await client.query<{ t: string }>('select format_type($1::oid, $2) as t', [f.dataTypeID, f.dataTypeModifier])).rows[0]!.t);
        columns.push({ name: f.name, type, parquet_type: duckTypeOf(type) });
      }
      if (new Set(columns.map((c) => c.name)).size !== columns.length) throw new AppError('bad_request', 'Cannot extract: two result columns have the same name (give them aliases)');
      const copy = client.query(copyTo(`COPY (${text}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)`));
      await pipeline(copy, createWriteStream(csv));
      rows = Number((copy as unknown as { rowCount?: number }).rowCount ?? 0);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
    await toParquet(csv, parquet, columns, options.threads ?? 2);
    const hash = createHash('sha256');
    await pipeline(createReadStream(parquet), hash);
    const bytes = (await stat(parquet)).size;
    await rename(parquet, dest);
    return { columns, rows, bytes, sha256: hash.digest('hex'), elapsed_ms: Math.round(performance.now() - started) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as { message?: string; code?: string; position?: string };
    if (options.signal?.aborted) throw new AppError('bad_request', 'Cannot extract: the client went away', { cause: err });
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) throw new AppError('bad_request', `Cannot extract: ${e.message}`, { cause: err, details: { public: { sqlstate: e.code, position: e.position ? Number(e.position) : null } } });
    throw new AppError('unavailable', `Cannot extract: ${describeError(err)}`, { cause: err });
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    client.release(broken);
    await rm(csv, { force: true });
    await rm(parquet, { force: true });
  }
}

async function toParquet(csv: string, parquet: string, columns: ExtractResult['columns'], threads: number): Promise<void> {
  const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  try {
    if (columns.length === 0) throw new AppError('bad_request', 'Cannot extract: the query returns no columns');
    // Every column read as text (CSV has no types), then cast to what PostgreSQL declared; booleans arrive as t/f.
    const read = `read_csv(${quoteText(csv)}, header = false, all_varchar = true, quote = '"', escape = '"', allow_quoted_nulls = false, parallel = false, columns = {${columns.map((_c, i) => `${quoteText(`c${i}`)}: 'VARCHAR'`).join(', ')}})`;
    const project = columns.map((c, i) => (c.parquet_type === 'BOOLEAN' ? `(c${i} = 't') AS ${quoteIdent(c.name)}` : `CAST(c${i} AS ${c.parquet_type}) AS ${quoteIdent(c.name)}`)).join(', ');
    await conn.run(`COPY (SELECT ${project} FROM ${read}) TO ${quoteText(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
