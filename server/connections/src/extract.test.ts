/**
 * extractToParquet against the local PostgreSQL server: exact types
 * (decimals stay decimals, NULL and '' stay apart, text with quotes,
 * commas and newlines survives), parameters inlined by PostgreSQL's own
 * parser, only one SELECT, all or nothing on disk, the same file twice.
 */
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { testDatabases } from '@workbench/store/testing';
import { duckTypeOf, extractToParquet, inlineParameters } from './extract';

async function readParquet(path: string): Promise<{ types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const d = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const types = Object.fromEntries(d.getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]));
    const r = await c.runAndReadAll(`SELECT * FROM read_parquet('${path}') ORDER BY id`);
    return { types, rows: r.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('extractToParquet', () => {
  const databases = testDatabases('postgres');
  let pool: Pool;
  let dir: string;

  beforeAll(async () => {
    const { url } = await databases.create();
    pool = new Pool({ connectionString: url, max: 3 });
    await pool.query(`create table line (id int4 primary key, amount numeric(16,2), rate numeric, qty int8, ok boolean, day date, at timestamp, tz timestamptz, name varchar, label jsonb)`);
    await pool.query(`insert into line values
      (1, 1234.56, 1.123456789012, 9007199254740993, true, '2026-11-30', '2026-11-30 23:59:59', '2026-11-30 23:59:59+01', 'O''Brien, "Ltd"' || chr(10) || 'line 2', '{"en_US": "Journal Item"}'),
      (2, -0.01, null, 0, false, null, null, null, '', null),
      (3, null, 0, null, null, '2026-01-01', null, null, null, '{}')`);
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-extract-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  afterAll(async () => {
    await pool?.end();
    await databases[Symbol.asyncDispose]();
  });

  it('keeps every value exact: decimals, big integers, booleans, dates, NULL apart from the empty string, awkward text', async () => {
    const dest = join(dir, 'bronze', 'line.parquet');
    const r = await extractToParquet(pool, 'select * from line order by id', dest);
    expect(r.rows).toBe(3);
    expect(r.columns.map((c) => [c.name, c.type, c.parquet_type])).toEqual([
      ['id', 'integer', 'INTEGER'],
      ['amount', 'numeric(16,2)', 'DECIMAL(16,2)'],
      ['rate', 'numeric', 'DECIMAL(38,12)'],
      ['qty', 'bigint', 'BIGINT'],
      ['ok', 'boolean', 'BOOLEAN'],
      ['day', 'date', 'DATE'],
      ['at', 'timestamp without time zone', 'TIMESTAMP'],
      ['tz', 'timestamp with time zone', 'TIMESTAMPTZ'],
      ['name', 'character varying', 'VARCHAR'],
      ['label', 'jsonb', 'VARCHAR'],
    ]);
    const { types, rows } = await readParquet(dest);
    expect(types).toMatchObject({ amount: 'DECIMAL(16,2)', rate: 'DECIMAL(38,12)', qty: 'BIGINT', ok: 'BOOLEAN', day: 'DATE' });
    expect(rows[0]).toMatchObject({ id: 1, amount: '1234.56', rate: '1.123456789012', qty: '9007199254740993', ok: true, day: '2026-11-30', at: '2026-11-30 23:59:59', name: 'O\'Brien, "Ltd"\nline 2', label: '{"en_US": "Journal Item"}' });
    expect(rows[1]).toMatchObject({ id: 2, amount: '-0.01', rate: null, ok: false, day: null, name: '' });
    expect(rows[2]).toMatchObject({ id: 3, amount: null, name: null });
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same file for the same snapshot and query', async () => {
    const a = await extractToParquet(pool, 'select * from line order by id', join(dir, 'a.parquet'));
    const b = await extractToParquet(pool, 'select * from line order by id', join(dir, 'b.parquet'));
    expect(b.sha256).toBe(a.sha256);
    expect(await readFile(join(dir, 'b.parquet'))).toEqual(await readFile(join(dir, 'a.parquet')));
  });

  it('binds $n parameters as quoted literals, found by PostgreSQL\'s parser (not inside strings)', async () => {
    const dest = join(dir, 'p.parquet');
    const r = await extractToParquet(pool, "select id, name, 'costs $1' as note from line where name = $1 or id = $2 order by id", dest, { params: ['O\'Brien, "Ltd"\nline 2', 3] });
    expect(r.rows).toBe(2);
    const { rows } = await readParquet(dest);
    expect(rows.map((x) => [x.id, x.note])).toEqual([
      [1, 'costs $1'],
      [3, 'costs $1'],
    ]);
    expect(await inlineParameters('select $1::date, $2', ["2026-11-30'; drop table line; --", null], (v) => `'${v.replace(/'/g, "''")}'`)).toBe("select '2026-11-30''; drop table line; --'::date, NULL");
  });

  it('refuses anything but one SELECT, and a parameter that is not given', async () => {
    await expect(extractToParquet(pool, 'delete from line', join(dir, 'x.parquet'))).rejects.toThrow('Cannot extract: give exactly one SELECT (or WITH ... SELECT) statement');
    await expect(extractToParquet(pool, 'select 1; select 2', join(dir, 'x.parquet'))).rejects.toThrow('Cannot extract: give exactly one SELECT');
    await expect(extractToParquet(pool, 'select $2', join(dir, 'x.parquet'), { params: [1] })).rejects.toThrow('Cannot extract: $2 has no parameter (1 given)');
    await expect(extractToParquet(pool, 'select 1 as a, 2 as a', join(dir, 'x.parquet'))).rejects.toThrow('two result columns have the same name');
    expect((await pool.query('select count(*)::int as n from line')).rows[0].n).toBe(3);
  });

  it('leaves the previous file as it was when the query fails half-way, and no temporary file', async () => {
    const dest = join(dir, 'keep.parquet');
    await writeFile(dest, 'previous');
    await expect(extractToParquet(pool, 'select id, 1 / (id - 2) as boom from line order by id', dest)).rejects.toMatchObject({ code: 'bad_request', message: 'Cannot extract: division by zero', details: { public: { sqlstate: '22012' } } });
    expect(await readFile(dest, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['keep.parquet']);
  });

  it('maps declared types', () => {
    expect(duckTypeOf('numeric(40,2)')).toBe('DECIMAL(38,12)');
    expect(duckTypeOf('smallint')).toBe('INTEGER');
    expect(duckTypeOf('uuid')).toBe('VARCHAR');
  });
});
