/**
 * loadParquet against the local PostgreSQL server: a table extracted to
 * Parquet comes back with the same types and values (NULL apart from '',
 * awkward text, decimals, big integers, zones), a second load replaces the
 * table under the same name, a failed load leaves the previous table as it
 * was, and names that are not plain identifiers are refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { testDatabases } from '@workbench/store/testing';
import { extractToParquet } from './extract';
import { loadParquet, pgTypeOf } from './load';

describe('loadParquet', () => {
  const databases = testDatabases('postgres');
  let pool: Pool;
  let dir: string;

  const columnsOf = async (schema: string, table: string) =>
    (
      await pool.query<{ c: string; t: string }>(
        `select a.attname as c, format_type(a.atttypid, a.atttypmod) as t from pg_attribute a where a.attrelid = format('%I.%I', $1::text, $2::text)::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
        [schema, table],
      )
    ).rows.map((r) => [r.c, r.t]);
  /** Every value as PostgreSQL prints it (NULL stays null), in id order. */
  const textRows = async (relation: string) => (await pool.query({ text: `select to_jsonb(t)::text as j from (select * from ${relation} order by id) t`, rowMode: 'array' })).rows.map((r) => r[0]);

  beforeAll(async () => {
    const { url } = await databases.create();
    pool = new Pool({ connectionString: url, max: 3 });
    await pool.query(`create table line (id int4, amount numeric(16,2), qty int8, rate float8, ok boolean, day date, at timestamp, tz timestamptz, name text)`);
    await pool.query(`insert into line values
      (1, 1234.56, 9007199254740993, 0.1, true, '2026-11-30', '2026-11-30 23:59:59.123456', '2026-11-30 23:59:59.5+01', 'O''Brien, "Ltd"' || chr(10) || 'line 2, élan'),
      (2, -0.01, 0, -1e300, false, null, null, null, ''),
      (3, null, null, null, null, '1970-01-01', '2000-02-29 00:00:00', '2026-03-29 01:30:00+00', null)`);
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-load-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  afterAll(async () => {
    await pool?.end();
    await databases[Symbol.asyncDispose]();
  });

  it('maps each Parquet type to its PostgreSQL type', () => {
    expect(['DECIMAL(16,2)', 'INTEGER', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'VARCHAR'].map(pgTypeOf)).toEqual(['numeric(16,2)', 'int4', 'int8', 'float8', 'boolean', 'date', 'timestamp', 'timestamptz', 'text']);
    expect(pgTypeOf('STRUCT(a INTEGER)')).toBeUndefined();
  });

  it('round-trips types and values exactly: extract, load, query', async () => {
    const file = join(dir, 'line.parquet');
    const extracted = await extractToParquet(pool, 'select * from line order by id', file);
    const r = await loadParquet(pool, file, { schema: 'gold', table: 'line' });
    expect(r).toMatchObject({ schema: 'gold', table: 'line', rows: 3, sha256: extracted.sha256 });
    expect(await columnsOf('gold', 'line')).toEqual(await columnsOf('public', 'line'));
    expect(await columnsOf('gold', 'line')).toEqual([
      ['id', 'integer'],
      ['amount', 'numeric(16,2)'],
      ['qty', 'bigint'],
      ['rate', 'double precision'],
      ['ok', 'boolean'],
      ['day', 'date'],
      ['at', 'timestamp without time zone'],
      ['tz', 'timestamp with time zone'],
      ['name', 'text'],
    ]);
    expect(await textRows('gold.line')).toEqual(await textRows('public.line'));
    const nulls = await pool.query(`select id, name is null as is_null, name = '' as is_empty from gold.line order by id`);
    expect(nulls.rows).toEqual([
      { id: 1, is_null: false, is_empty: false },
      { id: 2, is_null: false, is_empty: true },
      { id: 3, is_null: true, is_empty: null },
    ]);
  });

  it('replaces the table under the same name, leaving no loading table', async () => {
    const file = join(dir, 'line.parquet');
    await extractToParquet(pool, 'select * from line where id <= 2 order by id', file);
    await loadParquet(pool, file, { schema: 'serving', table: 'Line_2' });
    await extractToParquet(pool, 'select id, name from line order by id', file);
    const r = await loadParquet(pool, file, { schema: 'serving', table: 'Line_2' });
    expect(r.rows).toBe(3);
    expect(await columnsOf('serving', 'Line_2')).toEqual([
      ['id', 'integer'],
      ['name', 'text'],
    ]);
    const tables = await pool.query(`select table_name from information_schema.tables where table_schema = 'serving' order by 1`);
    expect(tables.rows).toEqual([{ table_name: 'Line_2' }]);
  });

  it('leaves the previous table as it was when a load fails', async () => {
    const file = join(dir, 'line.parquet');
    await extractToParquet(pool, 'select * from line order by id', file);
    await loadParquet(pool, file, { schema: 'kept', table: 'line' });
    const before = await textRows('kept.line');

    const bad = join(dir, 'bad.parquet');
    await writeFile(bad, 'PAR1 this is not parquet');
    await expect(loadParquet(pool, bad, { schema: 'kept', table: 'line' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^Cannot load: the file is not readable Parquet/) });
    await expect(loadParquet(pool, join(dir, 'missing.parquet'), { schema: 'kept', table: 'line' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^Cannot load: cannot read the file/) });

    // A load PostgreSQL refuses half-way (a view depends on the table): rolled back whole.
    await pool.query('create view kept.line_view as select id from kept.line');
    await expect(loadParquet(pool, file, { schema: 'kept', table: 'line' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^Cannot load kept\.line: cannot drop table/) });
    expect(await textRows('kept.line')).toEqual(before);
    const tables = await pool.query(`select table_name from information_schema.tables where table_schema = 'kept' order by 1`);
    expect(tables.rows).toEqual([{ table_name: 'line' }, { table_name: 'line_view' }]);
  });

  it('refuses names that are not plain identifiers', async () => {
    const file = join(dir, 'line.parquet');
    await extractToParquet(pool, 'select * from line order by id', file);
    for (const [schema, table] of [
      ['public', 'x"; drop table line; --'],
      ['public; drop table line', 'x'],
      ['public', '1x'],
      ['', 'x'],
      ['public', 'a'.repeat(55)],
    ]) {
      await expect(loadParquet(pool, file, { schema: schema!, table: table! })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^Cannot load: (schema|table) must be/) });
    }
    expect((await pool.query('select count(*)::int as n from public.line')).rows).toEqual([{ n: 3 }]);
  });
});
