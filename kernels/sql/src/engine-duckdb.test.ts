import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '@workbench/core';
import { toSqlError } from './duckdb-error';
import { DuckDbEngine, type QueryResult, type TableInfo } from './engine-duckdb';
import { bindParameters, parseCell } from './magics';
import { formatValue, renderResult, toJsonValue } from './render';
import { isSqlError, SqlError } from './sql-error';

const engines: DuckDbEngine[] = [];
async function open(path = ':memory:'): Promise<DuckDbEngine> {
  const e = await DuckDbEngine.open(path, { config: { threads: '2' } });
  engines.push(e);
  return e;
}

async function rejection(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected a SqlError');
}

afterEach(async () => {
  while (engines.length) await engines.pop()![Symbol.asyncDispose]();
});

// A query that takes far longer than the test allows unless interrupted.
const SLOW = 'SELECT sum(range * 2) FROM range(10000000000)';

describe('DuckDbEngine', () => {
  it('creates, inserts and queries', async () => {
    const db = await open();
    const created = await db.query('CREATE TABLE t (id INTEGER, name VARCHAR)');
    expect(created).toMatchObject({ columns: [], rows: [], command: 'CREATE' });
    const inserted = await db.query("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    expect(inserted).toMatchObject({ rowCount: 2, command: 'INSERT' });
    const r = await db.query('SELECT * FROM t ORDER BY id');
    expect(r).toMatchObject({ columns: [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'VARCHAR' }], rows: [[1, 'a'], [2, 'b']], rowCount: 2, truncated: false });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('returns every common type in a renderable form', async () => {
    const db = await open();
    const r = await db.query(`SELECT 1::INTEGER AS i, 9007199254740993::BIGINT AS b, 1.5::DOUBLE AS d, 12.345::DECIMAL(10,3) AS dec,
      'x' AS v, true AS ok, DATE '2024-01-02' AS day, TIMESTAMP '2024-01-02 03:04:05.5' AS ts, [1, 2, NULL] AS l,
      {'a': 1, 'b': 'q'} AS s, NULL::INTEGER AS n`);
    expect(r.columns.map((c) => c.type)).toEqual(['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL(10,3)', 'VARCHAR', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'INTEGER[]', 'STRUCT("a" INTEGER, "b" VARCHAR)', 'INTEGER']);
    const row = r.rows[0]!;
    expect(row.map((v, i) => formatValue(v, r.columns[i]!.type))).toEqual(['1', '9007199254740993', '1.5', '12.345', 'x', 'true', '2024-01-02', '2024-01-02 03:04:05.5', '[1, 2, NULL]', "{'a': 1, 'b': 'q'}", 'NULL']);
    expect(row.map((v, i) => toJsonValue(v, r.columns[i]!.type))).toEqual([1, '9007199254740993', 1.5, 12.345, 'x', true, '2024-01-02', '2024-01-02T03:04:05.5', [1, 2, null], { a: 1, b: 'q' }, null]);
    const bundle = renderResult(r);
    expect(bundle['text/plain']).toContain('1 row × 11 columns');
  });

  it('keeps the first maxRows of a million rows and counts them all', async () => {
    const db = await open();
    const r = await db.query('SELECT range AS n, range * 2 AS m FROM range(1000000)');
    expect(r.rows).toHaveLength(1000);
    expect(r.rows[999]).toEqual([999n, 1998n]);
    expect(r).toMatchObject({ rowCount: 1_000_000, truncated: true });
    const small = await db.query('SELECT * FROM range(10)', [], { maxRows: 3 });
    expect(small).toMatchObject({ rowCount: 10, truncated: true });
    expect(small.rows).toEqual([[0n], [1n], [2n]]);
    const exact = await db.query('SELECT * FROM range(2048)', [], { maxRows: 2048 });
    expect(exact).toMatchObject({ rowCount: 2048, truncated: false });
  });

  it('hands over the first rows as soon as there are more than maxRows, once, before counting the rest', async () => {
    const db = await open();
    const previews: QueryResult[] = [];
    const r = await db.query('SELECT range AS n FROM range(1000000)', [], { maxRows: 5, onPreview: (p) => previews.push(p) });
    expect(previews).toHaveLength(1);
    expect(previews[0]).toMatchObject({ counting: true, truncated: true });
    expect(previews[0]!.rows.map((row) => Number(row[0]))).toEqual([0, 1, 2, 3, 4]);
    expect(previews[0]!.rowCount).toBeLessThan(1_000_000);
    expect(r.rowCount).toBe(1_000_000);
    expect(r.counting).toBeUndefined();
    // No preview when everything fits.
    await db.query('SELECT range AS n FROM range(5)', [], { maxRows: 5, onPreview: (p) => previews.push(p) });
    expect(previews).toHaveLength(1);
  });

  it('interrupts a running query within a second, and keeps working', async () => {
    const db = await open();
    const ac = new AbortController();
    let abortedAt = 0;
    const p = db.query(SLOW, [], {
      signal: ac.signal,
      onStarted: () => {
        abortedAt = performance.now();
        ac.abort();
      },
    });
    const err = await rejection(p);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(err).toMatchObject({ kind: 'interrupted', code: 'unavailable', message: 'Cannot run query: interrupted' });
    expect((await db.query('SELECT 42 AS x')).rows).toEqual([[42]]);
  });

  it('interrupts when aborted right after the call, and on a deadline', async () => {
    const db = await open();
    const ac = new AbortController();
    const started = performance.now();
    const p = db.query(SLOW, [], { signal: ac.signal });
    ac.abort();
    expect(await rejection(p)).toMatchObject({ kind: 'interrupted' });
    expect(performance.now() - started).toBeLessThan(1000);

    const timed = await rejection(db.query(SLOW, [], { signal: AbortSignal.timeout(200) }));
    expect(timed).toMatchObject({ kind: 'interrupted', code: 'timeout', message: 'Cannot run query: timed out' });
  });

  it('interrupts a streaming result mid-way instead of returning a short count', async () => {
    const db = await open();
    // 10^10 rows stream for minutes; the deadline fires while chunks are being counted.
    const p = db.query('SELECT a.range FROM range(100000) a, range(100000) b', [], { maxRows: 10, signal: AbortSignal.timeout(300) });
    expect(await rejection(p)).toMatchObject({ kind: 'interrupted', code: 'timeout' });
  });

  it('lets a queued query leave the queue when aborted', async () => {
    const db = await open();
    const first = new AbortController();
    let running!: Promise<unknown>;
    await new Promise<void>((resolve) => {
      running = db.query(SLOW, [], { signal: first.signal, onStarted: resolve });
    });
    const second = new AbortController();
    const queued = db.query('SELECT 1', [], { signal: second.signal });
    second.abort();
    expect(await rejection(queued)).toMatchObject({ kind: 'interrupted' });
    first.abort();
    expect(await rejection(running)).toMatchObject({ kind: 'interrupted' });
    expect((await db.query('SELECT 2 AS two')).rows).toEqual([[2]]);
  });

  it('reports syntax and binder errors with the engine message and a position', async () => {
    const db = await open();
    const syntax = await rejection(db.query('SELECT 1 = = 1'));
    expect(syntax).toMatchObject({ kind: 'engine', engineType: 'Parser', message: 'Parser Error: syntax error at or near "="', position: 11, line: 1, column: 12 });
    expect(syntax.stack).toBeDefined();
    expect(syntax.message).not.toMatch(/\n\s+at /);
    expect(syntax.traceback('SELECT 1 = = 1')).toEqual(['Parser Error: syntax error at or near "="', 'LINE 1: SELECT 1 = = 1', `${' '.repeat(19)}^`]);

    const sql = "SELECT 'ü😀',\n  nope FROM range(3)";
    const binder = await rejection(db.query(sql));
    expect(binder).toMatchObject({ engineType: 'Binder', line: 2, column: 3 });
    expect(sql.slice(binder.position!)).toMatch(/^nope/);
    expect(isAppError(binder, 'bad_request')).toBe(true);
  });

  it('runs several statements and returns the last result', async () => {
    const db = await open();
    const r = await db.query('CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1), (2); SELECT sum(x) AS s FROM a');
    expect(r.rows).toEqual([[3n]]);
    const err = await rejection(db.query('SELECT 1; SELECT * FROM missing_table'));
    expect(err).toMatchObject({ engineType: 'Catalog', position: 24 });
    expect(await db.query('-- only a comment')).toMatchObject({ columns: [], rowCount: 0 });
  });

  it('binds $name and :name parameters from a cell', async () => {
    const db = await open();
    await db.query("CREATE TABLE p AS SELECT range AS id, 'n' || range AS name, DATE '2024-01-01' + range::INTEGER AS day FROM range(10)");
    const code = "%%sql\nSELECT id, name FROM p WHERE id >= $lo AND id < :hi AND name <> ':hi' AND day >= :since ORDER BY id";
    const [stmt] = parseCell(code).statements;
    const values = bindParameters(stmt!, { lo: 2, hi: 5n, since: '2024-01-04' }, code);
    const r = await db.query(stmt!.sql, values);
    expect(r.rows).toEqual([
      [3n, 'n3'],
      [4n, 'n4'],
    ]);
    const typed = await db.query('SELECT $1 AS d, $2 AS l, $3 AS e, $4 AS s, $5 AS n', [new Date(Date.UTC(2024, 0, 2, 3)), [1, 2], [], { a: 1 }, null]);
    expect(typed.rows[0]!.map((v) => toJsonValue(v))).toEqual(['2024-01-02T03:00:00', [1, 2], [], { a: 1 }, null]);
    const tooMany = await rejection(db.query('SELECT $1', [1, 2]));
    expect(tooMany).toMatchObject({ kind: 'parameter', message: 'Cannot bind parameters: the statement takes 1, 2 were given' });
    const missing = await rejection(db.query('SELECT $1, $2', [1]));
    expect(missing.kind).toBe('engine');
    expect(missing.message).toMatch(/parameters/);
  });

  it('keeps a result as a table (%%sql -> name)', async () => {
    const db = await open();
    const r = await db.keepAs('evens', 'SELECT range AS n FROM range(100) WHERE range % 2 = $1;', [0], { maxRows: 5 });
    expect(r).toMatchObject({ columns: [{ name: 'n', type: 'BIGINT' }], rowCount: 50, truncated: true });
    expect(r.rows).toHaveLength(5);
    expect((await db.query('SELECT count(*) FROM evens')).rows).toEqual([[50n]]);
    await db.keepAs('evens', 'SELECT 1 AS one');
    expect((await db.query('FROM evens')).rows).toEqual([[1]]);
    await db.query('CREATE SCHEMA s');
    await db.keepAs('s.kept', 'SELECT 2 AS two');
    expect((await db.query('FROM s.kept')).rows).toEqual([[2]]);

    const err = await rejection(db.keepAs('bad', '-- why\nSELECT nope FROM range(1); -- done'));
    expect(err).toMatchObject({ engineType: 'Binder', position: 14, line: 2, column: 8 });
    await expect(db.keepAs('x; DROP TABLE evens', 'SELECT 1')).rejects.toMatchObject({ kind: 'magic' });
    await expect(db.keepAs('two', 'SELECT 1; SELECT 2')).rejects.toMatchObject({ kind: 'magic' });
  });

  it('introspects schemas, tables, views, temp tables and columns', async () => {
    const db = await open();
    await db.query('CREATE SCHEMA sales; CREATE TABLE sales.orders (id BIGINT, "Total Amount" DECIMAL(12,2), placed DATE); CREATE TABLE customers (id INTEGER, name VARCHAR)');
    await db.query('CREATE VIEW big_orders AS SELECT * FROM sales.orders; CREATE TEMP TABLE scratch (x INTEGER)');
    expect(await db.listSchemas()).toEqual(['main', 'sales']);
    expect(await db.listTables()).toEqual([
      { schema: 'main', name: 'big_orders', kind: 'view', temporary: false },
      { schema: 'main', name: 'customers', kind: 'table', temporary: false },
      { schema: 'main', name: 'scratch', kind: 'table', temporary: true },
      { schema: 'sales', name: 'orders', kind: 'table', temporary: false },
    ]);
    expect(await db.listTables('sales')).toEqual([{ schema: 'sales', name: 'orders', kind: 'table', temporary: false }]);
    expect(await db.listColumns('orders')).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'Total Amount', type: 'DECIMAL(12,2)' },
      { name: 'placed', type: 'DATE' },
    ]);
    expect(await db.listColumns('customers', 'main')).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'VARCHAR' },
    ]);
    expect(await db.listColumns('nope')).toEqual([]);
    const cat = await db.catalog();
    expect(cat.defaultSchema).toBe('main');
    expect(cat.tables.map((t) => `${t.schema}.${t.name}:${t.kind}:${t.columns.length}`)).toEqual(['main.big_orders:view:3', 'main.customers:table:2', 'main.scratch:table:1', 'sales.orders:table:3']);
  });

  it('answers catalog questions while a long query runs', async () => {
    const db = await open();
    await db.query('CREATE TABLE t (x INTEGER)');
    const ac = new AbortController();
    let listed!: Promise<TableInfo[]>;
    let running!: Promise<unknown>;
    await new Promise<void>((resolve) => {
      running = db.query(SLOW, [], {
        signal: ac.signal,
        onStarted: () => {
          listed = db.listTables();
          resolve();
        },
      });
    });
    const tables = await listed;
    expect(tables).toEqual([{ schema: 'main', name: 't', kind: 'table', temporary: false }]);
    ac.abort();
    await expect(running).rejects.toMatchObject({ kind: 'interrupted' });
  });

  it('appends rows as pg returns them, all or nothing', async () => {
    const db = await open();
    const columns = [
      { name: 'id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(18,2)' },
      { name: 'ok', type: 'BOOLEAN' },
      { name: 'at', type: 'TIMESTAMP' },
      { name: 'day', type: 'DATE' },
      { name: 'doc', type: 'VARCHAR' },
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'raw', type: 'BLOB' },
      { name: 'ratio', type: 'DOUBLE' },
    ];
    async function* rows() {
      yield ['9007199254740993', '1234.565', 't', new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), new Date(Date.UTC(2024, 0, 2)), { a: [1, 2] }, ['x', 'y'], Buffer.from('hi'), '0.25'];
      yield [2, 10, false, null, null, 'plain', [], null, 1];
      for (let i = 3; i <= 5000; i++) yield [i, i / 100, true, null, null, null, null, null, null];
    }
    expect(await db.insertRows('pulled', columns, rows(), { create: true })).toBe(5000);
    const r = await db.query('SELECT * FROM pulled WHERE id IN (2, 9007199254740993) ORDER BY id');
    expect(r.rows.map((row) => row.map((v, i) => toJsonValue(v, r.columns[i]!.type)))).toEqual([
      [2, 10, false, null, null, 'plain', [], null, 1],
      ['9007199254740993', 1234.57, true, '2024-01-02T03:04:05', '2024-01-02', '{"a":[1,2]}', ['x', 'y'], 'aGk=', 0.25],
    ]);
    const bad = await rejection(db.insertRows('broken', [{ name: 'n', type: 'BIGINT' }], [[1], ['x1']], { create: true }));
    expect(bad.message).toMatch(/^Cannot append row 2 to broken: /);
    expect(await db.listTables()).toEqual([{ schema: 'main', name: 'pulled', kind: 'table', temporary: false }]);
    await db.insertRows('pulled', columns, [[6000, '1', true, null, null, null, null, null, null]]);
    expect((await db.query('SELECT count(*) FROM pulled')).rows).toEqual([[5001n]]);
    await db.query('DELETE FROM pulled WHERE id = 6000');
    expect((await db.query('SELECT count(*), sum(amount) FROM pulled')).rows.map((row) => row.map((v) => toJsonValue(v)))).toEqual([[5000, 126269.54]]);
  });
});

describe('toSqlError', () => {
  it('keeps a plain (non-JSON) engine message as it is', () => {
    const e = toSqlError(new Error('Invalid Input Error: Values were not provided for the following prepared statement parameters: 2'), 'SELECT $1, $2');
    expect(e).toMatchObject({ kind: 'engine', engineType: 'Invalid Input', position: undefined });
    expect(isSqlError(e)).toBe(true);
  });
});

describe('a database file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-duckdb-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('persists across open and dispose, and refuses use after dispose', async () => {
    const path = join(dir, 'warehouse.duckdb');
    const a = await DuckDbEngine.open(path);
    await a.query('CREATE TABLE kept AS SELECT * FROM range(3)');
    await a[Symbol.asyncDispose]();
    await a[Symbol.asyncDispose]();
    await expect(a.query('SELECT 1')).rejects.toMatchObject({ code: 'unavailable' });
    const b = await open(path);
    expect((await b.query('SELECT count(*) FROM kept')).rows).toEqual([[3n]]);
  });

  it('says which file it cannot open', async () => {
    await expect(DuckDbEngine.open(join(dir, 'no/such/dir/x.duckdb'))).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^Cannot open DuckDB database .*x\.duckdb: /) });
  });
});
