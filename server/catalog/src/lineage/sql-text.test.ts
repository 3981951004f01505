import { parseShell } from './duckdb-shell';
import { splitStatements, tokenize, utf16OffsetOfCodePoints, utf16OffsetOfUtf8 } from './sql-text';

test('tokens: quoted identifiers unescaped, strings, dollar quotes, comments skipped', () => {
  const ts = tokenize(`SELECT "Écritures ""2026""", 'it''s', $tag$ a;b $tag$, E'x\\'y' -- c;\n/* d; /* nested */ */ FROM t`);
  expect(ts.map((t) => [t.kind, t.value])).toEqual([
    ['word', 'SELECT'],
    ['ident', 'Écritures "2026"'],
    ['punct', ','],
    ['string', "it's"],
    ['punct', ','],
    ['string', ' a;b '],
    ['punct', ','],
    ['string', "x'y"],
    ['word', 'FROM'],
    ['word', 't'],
  ]);
});

test('statements split on ; outside strings and comments, with their offsets', () => {
  const sql = "SELECT ';' AS x; -- a ; comment\n\nINSERT INTO t SELECT 1 ;;  ";
  const sts = splitStatements(sql);
  expect(sts.map((s) => s.text)).toEqual(["SELECT ';' AS x", 'INSERT INTO t SELECT 1']);
  for (const s of sts) expect(sql.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
});

test('byte and code point offsets to UTF-16 offsets', () => {
  const s = 'é😀x';
  expect(utf16OffsetOfUtf8(s, 2)).toBe(1);
  expect(utf16OffsetOfUtf8(s, 6)).toBe(3);
  expect(utf16OffsetOfCodePoints(s, 2)).toBe(3);
});

describe('DuckDB statement shells', () => {
  const shell = (sql: string) => parseShell(sql, splitStatements(sql)[0]!);

  test('CREATE [OR REPLACE] [TEMP] TABLE/VIEW ... AS', () => {
    const ctas = 'CREATE OR REPLACE TEMP TABLE Gold."Ar Aging" AS SELECT 1';
    expect(shell(ctas)).toEqual({ kind: 'create_table_as', target: { schema: 'gold', name: 'Ar Aging' }, body: { text: 'SELECT 1', offset: ctas.indexOf('SELECT') } });
    expect(shell('CREATE VIEW IF NOT EXISTS v (a, b) AS FROM t')).toMatchObject({ kind: 'create_view', target: { name: 'v' }, targetColumns: ['a', 'b'], body: { text: 'FROM t' } });
    expect(shell('CREATE TABLE t (a INT, b VARCHAR)')).toEqual({ kind: 'other' });
  });

  test('INSERT: target columns, BY NAME, ON CONFLICT and RETURNING cut off', () => {
    expect(shell('INSERT OR REPLACE INTO s.t (a, "B") SELECT x, y FROM u ON CONFLICT DO NOTHING RETURNING a')).toMatchObject({
      kind: 'insert',
      target: { schema: 's', name: 't' },
      targetColumns: ['a', 'B'],
      byName: false,
      body: { text: 'SELECT x, y FROM u' },
    });
    expect(shell('INSERT INTO t BY NAME SELECT 1 AS a')).toMatchObject({ kind: 'insert', byName: true, body: { text: 'SELECT 1 AS a' } });
    expect(shell('INSERT INTO t DEFAULT VALUES')).toEqual({ kind: 'insert', target: { name: 't' }, byName: false });
  });

  test('UPDATE and DELETE become a SELECT over the target first', () => {
    expect(shell("UPDATE t AS x SET a = f(b, c), d = 'e' FROM u WHERE u.id = x.id RETURNING *")).toEqual({
      kind: 'update',
      target: { name: 't' },
      targetColumns: ['a', 'd'],
      body: { text: "SELECT f(b, c), 'e' FROM t AS x, u WHERE u.id = x.id" },
    });
    expect(shell('WITH k AS (SELECT 1 AS id) DELETE FROM t USING k WHERE t.id = k.id')).toEqual({
      kind: 'delete',
      target: { name: 't' },
      body: { text: 'WITH k AS (SELECT 1 AS id) SELECT 1 FROM t, k WHERE t.id = k.id' },
    });
  });

  test('queries and the rest', () => {
    expect(shell('(SELECT 1) UNION (SELECT 2)').kind).toBe('select');
    expect(shell('WITH a AS (SELECT 1) SELECT * FROM a').kind).toBe('select');
    expect(shell('ATTACH \'x.db\'').kind).toBe('other');
  });
});
