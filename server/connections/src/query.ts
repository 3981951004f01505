/**
 * Running a query on a PostgreSQL connection for someone who may not hold
 * its credential (code in a kernel, through the gateway): on the
 * connection's pool, with its statement timeout, reading at most
 * `maxRows` rows through a cursor (a 10M-row SELECT costs the server
 * maxRows rows of memory), cancelled on the server when the caller goes
 * away.
 */
import type { Pool, PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { AppError, describeError } from '@workbench/core';
import { textDates } from './text-dates';

export interface QueryColumn {
  name: string;
  /** PostgreSQL's name for the type (format_type), e.g. "numeric", "character varying", "timestamp without time zone". */
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: unknown[][];
  /** Rows returned (at most maxRows). */
  row_count: number;
  /** More rows were there than maxRows. */
  truncated: boolean;
  /** The command tag of a statement that returns no rows (INSERT 0 5, CREATE TABLE, ...). */
  command: string | null;
  elapsed_ms: number;
}

export interface QueryOptions {
  params?: readonly unknown[];
  maxRows: number;
  signal?: AbortSignal;
}

const typeNames = new Map<number, string>();

async function typeName(client: PoolClient, oid: number): Promise<string> {
  let name = typeNames.get(oid);
  if (name === undefined) {
    name = String((await client.query<{ t: string }>('select format_type($1::oid, null) as t', [oid])).rows[0]?.t ?? oid);
    typeNames.set(oid, name);
  }
  return name;
}

/** A value as JSON: dates as ISO text, numerics and big integers as text (exact), bytes as \x hex. */
function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

export async function queryPool(pool: Pool, sql: string, options: QueryOptions): Promise<QueryResult> {
  const started = performance.now();
  if (typeof sql !== 'string' || sql.trim() === '') throw new AppError('bad_request', 'Cannot run the query: sql must be non-empty text');
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new AppError('unavailable', `Cannot run the query: cannot connect (${describeError(err)})`, { cause: err });
  }
  const pid = (client as unknown as { processID?: number }).processID;
  const cancel = () => {
    // A second connection asks the server to stop the running statement; this one is then dropped.
    if (pid !== undefined) void pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  let broken = false;
  try {
    const cursor = client.query(new Cursor(sql, options.params ? [...options.params] : undefined, { rowMode: 'array', types: textDates }));
    const rows = (await cursor.read(options.maxRows + 1)) as unknown[][];
    const truncated = rows.length > options.maxRows;
    if (truncated) rows.length = options.maxRows;
    const fields = (cursor as unknown as { _result?: { fields?: { name: string; dataTypeID: number }[]; command?: string | null } })._result;
    await cursor.close();
    const columns: QueryColumn[] = [];
    for (const f of fields?.fields ?? []) columns.push({ name: f.name, type: await typeName(client, f.dataTypeID) });
    return { columns, rows: rows.map((r) => r.map(jsonValue)), row_count: rows.length, truncated, command: columns.length ? null : (fields?.command ?? null), elapsed_ms: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as { code?: string; message?: string; position?: string };
    if (options.signal?.aborted) throw new AppError('unavailable', 'Cannot finish the query: the caller went away, so it was cancelled on the server', { cause: err });
    if (e.code === '57014') throw new AppError('timeout', 'Cannot finish the query: it ran past the connection\'s statement timeout', { cause: err });
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      // The database's own refusal (syntax, permission, missing table): the user's to fix, shown as the database says it.
      throw new AppError('bad_request', `Cannot run the query: ${e.message ?? 'the database refused it'}${e.position ? ` (at character ${e.position})` : ''}`, { cause: err, details: { public: { sqlstate: e.code, position: e.position === undefined ? null : Number(e.position) } } });
    }
    broken = true;
    throw new AppError('unavailable', `Cannot run the query: ${describeError(err)}`, { cause: err });
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    client.release(broken || options.signal?.aborted ? true : undefined);
  }
}
