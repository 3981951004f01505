import { parametersCellSource, readLiteral, readParametersCell } from './notebook-parameters';

describe('readParametersCell', () => {
  it('reads simple name = literal lines with their types, comments and blank lines aside', () => {
    const cell = ['# Parameters', 'month = "2026-01-31"  # the close month', '', "region = 'EU'", 'limit = 10', 'rate = 0.25', 'big = 1_000', 'dry_run = False', 'label: str = "a # b"', "path = r'C:\\data'"].join('\n');
    expect(readParametersCell(cell)).toEqual({
      parameters: [
        { name: 'month', type: 'date', value: '2026-01-31' },
        { name: 'region', type: 'string', value: 'EU' },
        { name: 'limit', type: 'integer', value: 10 },
        { name: 'rate', type: 'number', value: 0.25 },
        { name: 'big', type: 'integer', value: 1000 },
        { name: 'dry_run', type: 'boolean', value: false },
        { name: 'label', type: 'string', value: 'a # b' },
        { name: 'path', type: 'string', value: 'C:\\data' },
      ],
      skipped: [],
    });
  });

  it('lists what is not simple, and keeps the last value of a name set twice', () => {
    const cell = ['items = [1, 2]', 'when = datetime.now()', 'x = None', 'import os', 'limit = 5', 'limit = 7', 'esc = "a\\"b"', 'bad = "a\\nb"'].join('\r\n');
    const read = readParametersCell(cell);
    expect(read.parameters).toEqual([
      { name: 'limit', type: 'integer', value: 7 },
      { name: 'esc', type: 'string', value: 'a"b' },
    ]);
    expect(read.skipped).toEqual(['items = [1, 2]', 'when = datetime.now()', 'x = None', 'import os', 'bad = "a\\nb"']);
  });

  it('reads literals: signs, exponents, quotes', () => {
    expect(readLiteral('-3')).toEqual({ type: 'integer', value: -3 });
    expect(readLiteral('1e3')).toEqual({ type: 'number', value: 1000 });
    expect(readLiteral('.5')).toEqual({ type: 'number', value: 0.5 });
    expect(readLiteral('"it\'s"')).toEqual({ type: 'string', value: "it's" });
    expect(readLiteral("'a' + 'b'")).toBeUndefined();
    expect(readLiteral('True # yes')).toEqual({ type: 'boolean', value: true });
  });

  it('finds the cell tagged parameters (source as a string or as lines)', () => {
    const cells = [
      { cell_type: 'markdown', metadata: { tags: ['parameters'] }, source: '# not code' },
      { cell_type: 'code', metadata: {}, source: 'x = 1' },
      { cell_type: 'code', metadata: { tags: ['setup', 'parameters'] }, source: ['a = 1\n', 'b = 2'] },
    ];
    expect(parametersCellSource(cells)).toBe('a = 1\nb = 2');
    expect(parametersCellSource(cells.slice(0, 2))).toBeUndefined();
  });
});
