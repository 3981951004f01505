import { bindParameters, isComplete, parseCell, splitStatements } from './magics';
import { isSqlError, SqlError } from './sql-error';
import { tokenize } from './sql-lexer';

function thrown(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected a SqlError');
}

describe('tokenize', () => {
  it('keeps literals, quoted identifiers, comments and dollar quotes whole', () => {
    const kinds = (sql: string) => tokenize(sql).filter((t) => t.kind !== 'space').map((t) => `${t.kind}:${t.text}`);
    expect(kinds(`select 'a;b''c', "x;""y", E'it\\'s', $$a;b$$, $t$ $x $t$ -- c;\n/* a /* nested */ ; */ x::int`)).toEqual([
      'word:select',
      "string:'a;b''c'",
      'punct:,',
      'quoted:"x;""y"',
      'punct:,',
      "string:E'it\\'s'",
      'punct:,',
      'string:$$a;b$$',
      'punct:,',
      'string:$t$ $x $t$',
      'comment:-- c;',
      'comment:/* a /* nested */ ; */',
      'word:x',
      'op:::',
      'word:int',
    ]);
  });

  it('tells placeholders from casts, slices and words with $', () => {
    const params = (sql: string) => tokenize(sql).filter((t) => t.kind === 'param').map((t) => t.text);
    expect(params('select $a, :b, $1, ?, x::int, l[1:2], l[i:j], a$b, {x: 1}, (:c)')).toEqual(['$a', ':b', '$1', '?', ':c']);
  });

  it('marks what runs off the end as unterminated', () => {
    expect(tokenize("select 'abc").at(-1)).toMatchObject({ kind: 'string', unterminated: true });
    expect(tokenize('select "abc').at(-1)).toMatchObject({ kind: 'quoted', unterminated: true });
    expect(tokenize('select /* a /* b */').at(-1)).toMatchObject({ kind: 'comment', unterminated: true });
    expect(tokenize('select $q$ abc').at(-1)).toMatchObject({ kind: 'string', unterminated: true });
  });
});

describe('parseCell', () => {
  it('reads a plain cell as statements', () => {
    const cell = parseCell('select 1;\nselect 2');
    expect(cell).toMatchObject({ cellMagic: false, bodyStart: 0 });
    expect(cell.keepAs).toBeUndefined();
    expect(cell.statements.map((s) => [s.text, s.terminated])).toEqual([
      ['select 1', true],
      ['select 2', false],
    ]);
  });

  it('reads %%sql -> name, %connect and -- connection:', () => {
    const code = '%%sql -> top_customers\n%connect odoo\n-- connection: finance\nselect * from t';
    const cell = parseCell(code);
    expect(cell).toMatchObject({ cellMagic: true, keepAs: 'top_customers', connect: 'odoo', connection: 'finance' });
    expect(cell.statements).toHaveLength(1);
    expect(cell.statements[0]!.text).toBe('select * from t');
    expect(code.slice(cell.statements[0]!.start)).toBe('select * from t');
  });

  it('accepts %%sql alone, schema-qualified keep names and %connect alone', () => {
    expect(parseCell('%%sql\nselect 1').statements).toHaveLength(1);
    expect(parseCell('%%sql ->main.x\nselect 1').keepAs).toBe('main.x');
    expect(parseCell('%%sql->y\nselect 1').keepAs).toBe('y');
    const only = parseCell('%connect warehouse\n');
    expect(only).toMatchObject({ connect: 'warehouse', statements: [] });
  });

  it('rejects malformed magics with a clear message', () => {
    expect(thrown(() => parseCell('%%python\nx')).message).toBe('Cannot run cell: unknown cell magic %%python');
    expect(thrown(() => parseCell('%%sql => x\nselect 1')).message).toMatch(/expected "%%sql" or "%%sql -> name"/);
    expect(thrown(() => parseCell('%%sql -> 1x\nselect 1')).message).toMatch(/Cannot keep the result as "1x"/);
    expect(thrown(() => parseCell('%connect\nselect 1')).message).toBe('Cannot switch connection: %connect needs a connection name');
    expect(thrown(() => parseCell('%time\nselect 1')).message).toBe('Cannot run cell: unknown line magic %time');
    const late = thrown(() => parseCell('%connect a\n%%sql\nselect 1'));
    expect(late).toMatchObject({ kind: 'magic', line: 2, column: 1 });
  });

  it('reads %sql @NAME with the SQL on the same line and below', () => {
    const code = '%sql @odoo SELECT id\nFROM res_partner';
    const cell = parseCell(code);
    expect(cell).toMatchObject({ connection: 'odoo', cellMagic: false });
    expect(cell.statements.map((s) => s.text)).toEqual(['SELECT id\nFROM res_partner']);
    expect(parseCell('%sql @odoo\nselect 1').statements.map((s) => s.text)).toEqual(['select 1']);
    expect(thrown(() => parseCell('%sql @"x" select 1')).message).toBe('Cannot use connection "\\"x\\"": not a connection name');
  });

  it('does not take a connection comment after the SQL started', () => {
    expect(parseCell('select 1 -- connection: x').connection).toBeUndefined();
    expect(parseCell('/* hi */\n--   Connection:  pg_1  \nselect 1').connection).toBe('pg_1');
  });

  it('splits on ; outside literals and comments and drops empty statements', () => {
    const code = "select ';' as a; -- x;\n;; select \"b;\" from t /* ; */; $$;$$";
    expect(splitStatements(code).map((s) => s.text)).toEqual(["select ';' as a", 'select "b;" from t', '$$;$$']);
  });
});

describe('parameters', () => {
  it('rewrites $name and :name to positional, reusing numbers per name', () => {
    const code = "select * from t where a = $a and b = :b and c = $a and d = 'x:y $z' and e = x::int -- :c\nand f = 1";
    const [s] = parseCell(code).statements;
    expect(s!.sql).toBe("select * from t where a = $1 and b = $2 and c = $1 and d = 'x:y $z' and e = x::int -- :c\nand f = 1");
    expect(s!.parameters).toEqual(['a', 'b']);
    expect(bindParameters(s!, { b: 'two', a: 1, unused: true })).toEqual([1, 'two']);
  });

  it('maps positions in the rewritten SQL back to the cell', () => {
    const code = '%%sql\nselect :alpha, $beta, nope';
    const [s] = parseCell(code).statements;
    expect(s!.sql).toBe('select $1, $2, nope');
    expect(code.slice(s!.toCellOffset(s!.sql.indexOf('nope')))).toBe('nope');
    expect(code.slice(s!.toCellOffset(s!.sql.indexOf('$2')))).toBe('$beta, nope');
    expect(s!.toCellOffset(0)).toBe(code.indexOf('select'));
  });

  it('names a missing parameter and points at it', () => {
    const code = 'select 1\nwhere x = :limit_day';
    const [s] = parseCell(code).statements;
    const err = thrown(() => bindParameters(s!, { other: 1 }, code));
    expect(isSqlError(err, 'parameter')).toBe(true);
    expect(err.message).toBe('Cannot bind parameter :limit_day: no parameter named "limit_day" is defined (defined: other)');
    expect(err).toMatchObject({ line: 2, column: 11, code: 'bad_request' });
  });

  it('leaves positional-only statements alone and refuses a mix', () => {
    expect(parseCell('select $1, ?').statements[0]!.parameters).toEqual([]);
    expect(thrown(() => parseCell('select $1, $a')).message).toMatch(/mixes positional \(\$1\) and named \(\$a\)/);
  });
});

describe('isComplete', () => {
  it.each([
    ['select 1', 'complete'],
    ['select 1;', 'complete'],
    ['select 1;\nselect 2;', 'complete'],
    ['', 'complete'],
    ['%connect pg', 'complete'],
    ['-- just a comment', 'complete'],
    ['select 1;\nselect 2', 'incomplete'],
    ["select 'abc", 'incomplete'],
    ['select "abc', 'incomplete'],
    ['select (1 + 2', 'incomplete'],
    ['select [1, 2', 'incomplete'],
    ['select 1 /* open', 'incomplete'],
    ['select $$ body', 'incomplete'],
    ['%%sql', 'incomplete'],
    ['%%sql -> x\n', 'incomplete'],
    ['select 1)', 'invalid'],
    ['select (1]', 'invalid'],
    ['%%bogus\nselect 1', 'invalid'],
    ["select ')' -- (", 'complete'],
  ])('%j is %s', (code, status) => {
    expect(isComplete(code)).toBe(status);
  });
});
