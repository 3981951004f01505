import { guessParameters, labelFor, notebookLanguage, readLiteral, type NotebookLike } from './detect-parameters';

function notebook(source: string | string[], metadata: object = {}, tags: unknown = ['parameters']): NotebookLike {
  return {
    metadata,
    cells: [
      { cell_type: 'markdown', source: '# Title', metadata: { tags: ['parameters'] } },
      { cell_type: 'code', source: 'import os', metadata: {} },
      { cell_type: 'code', source, metadata: { tags } },
      { cell_type: 'code', source: 'late = 1', metadata: { tags: ['parameters'] } },
    ],
  };
}

const brief = (nb: NotebookLike) => guessParameters(nb).map((p) => [p.name, p.type, p.default]);

describe('guessParameters: Python', () => {
  it('reads top-level name = literal and name: T = literal, with types, labels and required', () => {
    const source = [
      '# Parameters',
      'close_date = "2026-01-31"  # the last day',
      "close_month = '2026-01'",
      'region: str = "EU"',
      'limit = 10',
      'rate = 0.25',
      'big = 1_000',
      'tiny = 1e-3',
      'threshold: float = 5',
      'dry_run = False',
      'send = True;',
      'note = "a # b"',
      "path = r'C:\\data'",
      'esc = "it\\"s"',
    ].join('\n');
    const guessed = guessParameters(notebook(source));
    expect(guessed[0]).toEqual({ name: 'close_date', type: 'date', label: 'Close date', default: '2026-01-31', required: true });
    expect(guessed.map((p) => [p.name, p.type, p.default, p.label])).toEqual([
      ['close_date', 'date', '2026-01-31', 'Close date'],
      ['close_month', 'month', '2026-01', 'Close month'],
      ['region', 'string', 'EU', 'Region'],
      ['limit', 'integer', 10, 'Limit'],
      ['rate', 'number', 0.25, 'Rate'],
      ['big', 'integer', 1000, 'Big'],
      ['tiny', 'number', 0.001, 'Tiny'],
      ['threshold', 'number', 5, 'Threshold'],
      ['dry_run', 'boolean', false, 'Dry run'],
      ['send', 'boolean', true, 'Send'],
      ['note', 'string', 'a # b', 'Note'],
      ['path', 'string', 'C:\\data', 'Path'],
      ['esc', 'string', 'it"s', 'Esc'],
    ]);
  });

  it('takes source given as lines, and only the first code cell tagged parameters', () => {
    expect(brief(notebook(['a = 1\n', 'b = "x"\n']))).toEqual([
      ['a', 'integer', 1],
      ['b', 'string', 'x'],
    ]);
    expect(guessParameters({ cells: [{ cell_type: 'code', source: 'a = 1', metadata: { tags: 'parameters' } }] })).toEqual([]);
    expect(guessParameters({ cells: [{ cell_type: 'code', source: 'a = 1' }] })).toEqual([]);
    expect(guessParameters({ cells: [] })).toEqual([]);
  });

  it('skips what is not a simple literal: lists, dicts, calls, None, f-strings, bytes, expressions', () => {
    const source = ['items = [1, 2]', "opts = {'a': 1}", 'when = datetime.now()', 'x = None', 'name_ = f"{x}"', "raw = b'x'", 'sum_ = 1 + 2', "both = 'a' 'b'", 'a = b = 1', 'c, d = 1, 2', 'keep = 3'].join('\n');
    expect(brief(notebook(source))).toEqual([['keep', 'integer', 3]]);
  });

  it('reads only top-level lines: not indented, not inside brackets or triple-quoted strings', () => {
    const source = [
      'if True:',
      '    inner = 1',
      'config = dict(',
      'a=1,',
      'b=2',
      ')',
      'doc = """',
      'fake = 2',
      '"""',
      "x = '''one line'''",
      'after = "2026-02-30"',
      'month_ = "2026-13"',
    ].join('\n');
    // 2026-02-30 is not a day and 2026-13 not a month: both stay strings.
    expect(brief(notebook(source))).toEqual([
      ['after', 'string', '2026-02-30'],
      ['month_', 'string', '2026-13'],
    ]);
  });

  it('keeps the last value of a name set twice, and drops one set last to something else', () => {
    expect(brief(notebook('a = 1\nb = 2\na = 3\nb = compute()'))).toEqual([['a', 'integer', 3]]);
  });

  it('leaves out names the server refuses: reserved ones, and too long ones', () => {
    const long = `p${'x'.repeat(64)}`;
    expect(brief(notebook(`name = "n"\ntitle = "t"\nfolder = "f"\n${long} = 1\nok = 1`))).toEqual([['ok', 'integer', 1]]);
  });
});

describe('guessParameters: TypeScript and JavaScript', () => {
  const ts = { kernelspec: { name: 'tslab', language: 'typescript' } };

  it('reads const, let and var declarations with literals, typed or not, with or without a semicolon', () => {
    const source = [
      '// Parameters',
      "const closeMonth: string = '2026-03';",
      'let asOf = "2026-03-31"; // the day',
      'var limit = 25',
      'export const rate: number = 0.5;',
      'const enabled = true;',
      'const tpl = `plain`;',
      'let flag: boolean = false;',
    ].join('\n');
    expect(brief(notebook(source, ts))).toEqual([
      ['closeMonth', 'month', '2026-03'],
      ['asOf', 'date', '2026-03-31'],
      ['limit', 'integer', 25],
      ['rate', 'number', 0.5],
      ['enabled', 'boolean', true],
      ['tpl', 'string', 'plain'],
      ['flag', 'boolean', false],
    ]);
  });

  it('skips objects, arrays, calls, null, undefined, interpolations, Python literals, inner and commented lines', () => {
    const source = [
      'const a = [1, 2];',
      'const b = { c: 1 };',
      'const d = new Date();',
      'let e = null;',
      'let f = undefined;',
      'const g = `x ${a}`;',
      'const h = True;',
      'plain = 1',
      'function k() {',
      'const inner = 1;',
      '}',
      '/* const hidden = 1;',
      'const hidden2 = 2; */',
      "const $x = 'a';",
      'const ok = 1, other = 2;',
      'const kept = -4;',
    ].join('\n');
    expect(brief(notebook(source, ts))).toEqual([['kept', 'integer', -4]]);
  });

  it('reads language_info when the kernelspec has no language (JavaScript)', () => {
    expect(brief(notebook('const a = 1;', { language_info: { name: 'javascript' } }))).toEqual([['a', 'integer', 1]]);
  });
});

describe('guessParameters: SQL', () => {
  const sql = { kernelspec: { name: 'workbench-sql', language: 'sql' } };

  it('reads %params {JSON}, over several lines', () => {
    const source = '%params {\n  "month": "2026-10",\n  "as_of": "2026-10-31",\n  "company_currency": "EUR",\n  "tolerance": 10,\n  "rate": 0.5,\n  "strict": false\n}';
    expect(guessParameters(notebook(source, sql))).toEqual([
      { name: 'month', type: 'month', label: 'Month', default: '2026-10', required: true },
      { name: 'as_of', type: 'date', label: 'As of', default: '2026-10-31', required: true },
      { name: 'company_currency', type: 'string', label: 'Company currency', default: 'EUR', required: true },
      { name: 'tolerance', type: 'integer', label: 'Tolerance', default: 10, required: true },
      { name: 'rate', type: 'number', label: 'Rate', default: 0.5, required: true },
      { name: 'strict', type: 'boolean', label: 'Strict', default: false, required: true },
    ]);
  });

  it('skips nulls, lists, objects and bad names, and reads nothing from a cell that is not %params JSON', () => {
    expect(brief(notebook('%params {"a": null, "b": [1], "c": {"d": 1}, "bad name": 1, "title": "x", "e": 2}', sql))).toEqual([['e', 'integer', 2]]);
    expect(brief(notebook('SELECT 1', sql))).toEqual([]);
    expect(brief(notebook('%params {not json}', sql))).toEqual([]);
    expect(brief(notebook('%params [1, 2]', sql))).toEqual([]);
    expect(brief(notebook('month = "2026-10"', { language_info: { name: 'sql' } }))).toEqual([]);
  });
});

describe('notebookLanguage, labelFor, readLiteral', () => {
  it('tells the language from the kernelspec, then language_info, Python by default', () => {
    expect(notebookLanguage(undefined)).toBe('python');
    expect(notebookLanguage({})).toBe('python');
    expect(notebookLanguage({ kernelspec: { language: 'python' }, language_info: { name: 'sql' } })).toBe('python');
    expect(notebookLanguage({ language_info: { name: 'TypeScript' } })).toBe('script');
    expect(notebookLanguage({ kernelspec: { language: 'SQL' } })).toBe('sql');
    expect(notebookLanguage({ kernelspec: { language: 'R' } })).toBe('other');
  });

  it('reads nothing in a language it does not know', () => {
    expect(guessParameters(notebook('a = 1', { kernelspec: { language: 'R' } }))).toEqual([]);
  });

  it('labels a name with spaces for _, capitalised', () => {
    expect(labelFor('close_month')).toBe('Close month');
    expect(labelFor('_private__x')).toBe('Private x');
    expect(labelFor('asOf')).toBe('AsOf');
    expect(labelFor('_')).toBe('_');
  });

  it('reads literals of each language', () => {
    expect(readLiteral('.5', 'python')).toEqual({ type: 'number', value: 0.5 });
    expect(readLiteral('1.', 'python')).toEqual({ type: 'number', value: 1 });
    expect(readLiteral('9007199254740993', 'python')).toBeUndefined();
    expect(readLiteral('true', 'python')).toBeUndefined();
    expect(readLiteral('True', 'script')).toBeUndefined();
    expect(readLiteral('"a\\nb"', 'python')).toEqual({ type: 'string', value: 'a\nb' });
    expect(readLiteral('"a\\qb"', 'python')).toBeUndefined();
    expect(readLiteral("u'x'", 'python')).toEqual({ type: 'string', value: 'x' });
    expect(readLiteral("u'x'", 'script')).toBeUndefined();
    expect(readLiteral('"2024-02-29"', 'script')).toEqual({ type: 'date', value: '2024-02-29' });
    expect(readLiteral('"2023-02-29"', 'script')).toEqual({ type: 'string', value: '2023-02-29' });
  });
});
