/**
 * A look at a table's rows without running a notebook: the first rows or a
 * random sample, capped in rows and in characters per cell, with the
 * columns tagged as personal data masked in the query itself (their values
 * never leave the database) unless the caller may see them.
 *
 * Sampling: PostgreSQL `TABLESAMPLE BERNOULLI (p)` with p set from the
 * row estimate to give about twice the rows asked for (then LIMIT), or
 * `SYSTEM` above ten million rows, where reading every block would be
 * slow; DuckDB: a reservoir of the rows, or for a big file a reservoir of
 * about fifty whole vectors taken at random (`SYSTEM`), so a sample does
 * not read the whole file.
 */
import type { Pool } from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import { textDates } from '@workbench/connections';
import { quoteIdent } from './keys';

export type PreviewMode = 'first' | 'sample';

export interface PreviewColumn {
  name: string;
  type: string;
  masked: boolean;
}

export interface PreviewRequest {
  schema: string;
  name: string;
  columns: readonly { name: string; type: string; mask: boolean }[];
  mode: PreviewMode;
  limit: number;
  /** Characters kept per cell (the rest is cut, and the cell counted in `truncated_cells`). */
  maxCellChars: number;
  rowEstimate: number | null;
  signal?: AbortSignal;
}

export interface Preview {
  columns: PreviewColumn[];
  rows: unknown[][];
  mode: PreviewMode;
  limit: number;
  truncated_cells: number;
  elapsed_ms: number;
}

export const MASK = '••••••';

/** Text-like types whose values may be huge: cut inside the query so a 10 MB value never travels whole. */
const LONG_PG = /^(text|character varying|varchar|json|jsonb|xml|bytea|character|bpchar|"char"|citext)/i;
const LONG_DUCK = /^(VARCHAR|BLOB|JSON|BIT|STRUCT|MAP|UNION|.*\[\]$)/i;

function selectList(req: PreviewRequest, dialect: 'postgres' | 'duckdb'): string {
  const cut = req.maxCellChars + 1;
  return req.columns
    .map((c) => {
      const q = quoteIdent(c.name);
      if (c.mask) return `case when ${q} is null then null else '${MASK}' end as ${q}`;
      if (dialect === 'postgres' && LONG_PG.test(c.type)) return `left(${q}::text, ${cut}) as ${q}`;
      if (dialect === 'duckdb' && LONG_DUCK.test(c.type)) return `left(CAST(${q} AS VARCHAR), ${cut}) as ${q}`;
      return q;
    })
    .join(', ');
}

function finish(req: PreviewRequest, rows: unknown[][], started: number): Preview {
  let truncated = 0;
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v === 'string' && v.length > req.maxCellChars) {
        row[i] = `${v.slice(0, req.maxCellChars)}…`;
        truncated++;
      }
    }
  }
  return { columns: req.columns.map((c) => ({ name: c.name, type: c.type, masked: c.mask })), rows, mode: req.mode, limit: req.limit, truncated_cells: truncated, elapsed_ms: Math.round(performance.now() - started) };
}

export async function previewPostgres(pool: Pool, req: PreviewRequest): Promise<Preview> {
  const started = performance.now();
  if (req.columns.length === 0) return finish(req, [], started);
  let from = `${quoteIdent(req.schema)}.${quoteIdent(req.name)}`;
  if (req.mode === 'sample' && req.rowEstimate !== null && req.rowEstimate > req.limit) {
    const pct = Math.min(100, Math.max(0.0001, (200 * req.limit) / req.rowEstimate));
    from += ` tablesample ${req.rowEstimate > 10_000_000 ? 'system' : 'bernoulli'} (${pct.toFixed(6)})`;
  }
  const client = await pool.connect();
  let released = false;
  const abort = () => {
    if (released) return;
    released = true;
    client.release(new Error('preview aborted'));
  };
  req.signal?.addEventListener('abort', abort, { once: true });
  try {
    const r = await client.query({ text: `select ${selectList(req, 'postgres')} from ${from} limit ${req.limit}`, rowMode: 'array', types: textDates });
    return finish(req, r.rows.map((row: unknown[]) => row.map(jsonValue)), started);
  } finally {
    req.signal?.removeEventListener('abort', abort);
    if (!released) {
      released = true;
      client.release();
    }
  }
}

export async function previewDuckDb(conn: DuckDBConnection, database: string, req: PreviewRequest): Promise<Preview> {
  const started = performance.now();
  if (req.columns.length === 0) return finish(req, [], started);
  const table = `${quoteIdent(database)}.${quoteIdent(req.schema)}.${quoteIdent(req.name)}`;
  let sql: string;
  if (req.mode !== 'sample') sql = `select ${selectList(req, 'duckdb')} from ${table} limit ${req.limit}`;
  else if (req.rowEstimate !== null && req.rowEstimate > 100_000) {
    // A big file: whole vectors (2,048 rows) at random, about fifty of them, then a reservoir of those;
    // row-level sampling would read and decompress every row of the file.
    const pct = Math.min(100, (100 * Math.max(200 * req.limit, 50 * 2048)) / req.rowEstimate);
    sql = `select * from (select ${selectList(req, 'duckdb')} from ${table} using sample ${pct.toFixed(6)} percent (system)) using sample reservoir(${req.limit} rows)`;
  } else sql = `select ${selectList(req, 'duckdb')} from ${table} using sample reservoir(${req.limit} rows)`;
  const reader = await conn.runAndReadAll(sql);
  return finish(req, reader.getRowsJson() as unknown[][], started);
}

/** A PostgreSQL value as JSON: dates as ISO text, big numbers and bytes as text. */
function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}
