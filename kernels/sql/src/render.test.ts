import { DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBStructValue, DuckDBTimestampTZValue, DuckDBTimestampValue } from '@duckdb/node-api';
import { formatElapsed, renderResult, renderText, summaryLine, tableSchemaType, toJsonValue, type ResultSet } from './render';
import { displayWidth, truncateToWidth } from './text-width';

const base: ResultSet = {
  columns: [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'VARCHAR' },
  ],
  rows: [
    [1, 'alice'],
    [22, null],
  ],
  rowCount: 2,
  truncated: false,
  elapsedMs: 12.4,
};

describe('text/plain', () => {
  it('aligns columns like psql, numbers to the right, with a summary line', () => {
    expect(renderText(base)).toBe([' id | name', '----+-------', '  1 | alice', ' 22 | NULL', '(2 rows × 2 columns · 12 ms)'].join('\n'));
  });

  it('truncates wide cells and keeps one value on one line', () => {
    const text = renderText({ ...base, rows: [[1, 'x'.repeat(100)], [2, 'a\nb\tc']] }, { maxCellWidth: 10 });
    const lines = text.split('\n');
    expect(lines[2]).toBe('  1 | xxxxxxxxx…');
    expect(lines[3]).toBe('  2 | a\\nb\\tc');
  });

  it('pads by display width, not by UTF-16 length', () => {
    const text = renderText({ columns: [{ name: 'w', type: 'VARCHAR' }, { name: 'n', type: 'INTEGER' }], rows: [['日本語'], ['é'], ['👍🏽']].map((r, i) => [r[0], i]), rowCount: 3, truncated: false });
    const lines = text.split('\n');
    // every data line puts the separator in the same terminal column
    const sepColumn = (l: string) => displayWidth(l.slice(0, l.indexOf('|')));
    expect(new Set(lines.slice(2, 5).map(sepColumn))).toEqual(new Set([sepColumn(lines[0]!)]));
    expect(lines[2]).toBe(' 日本語 | 0');
    expect(lines[3]).toBe(' é      | 1');
  });

  it('says which rows it shows when truncated', () => {
    const r: ResultSet = { ...base, rowCount: 1_000_000, truncated: true };
    expect(summaryLine(r)).toBe('1000000 rows × 2 columns · showing first 2 of 1000000 rows · 12 ms');
  });

  it('summarises commands', () => {
    expect(renderText({ columns: [], rows: [], rowCount: 5, truncated: false, command: 'INSERT', elapsedMs: 3 })).toBe('INSERT · 5 rows affected · 3 ms');
    expect(renderText({ columns: [], rows: [], rowCount: 0, truncated: false, command: 'CREATE' })).toBe('CREATE');
  });
});

describe('text/html', () => {
  it('escapes every name, type and value', () => {
    const html = renderResult({
      columns: [{ name: '<b>x</b>', type: 'VARCHAR"><script>' }],
      rows: [['<script>alert("x")</script>'], ["it's & <ok>"]],
      rowCount: 2,
      truncated: false,
    })['text/html'];
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('it&#39;s &amp; &lt;ok&gt;');
    expect(html).toContain('<th title="VARCHAR&quot;&gt;&lt;script&gt;" style="text-align:left">&lt;b&gt;x&lt;/b&gt;</th>');
  });

  it('shows NULL distinctly and captions counts, truncation and time', () => {
    const html = renderResult({ ...base, rowCount: 5000, truncated: true })['text/html'];
    expect(html).toContain('<td style="text-align:left"><i>NULL</i></td>');
    expect(html).toContain('<caption style="caption-side:bottom;text-align:left">5000 rows × 2 columns · showing first 2 of 5000 rows · 12 ms</caption>');
    // Numeric cells align right through their row (no style per cell); text cells say left.
    expect(html).toMatch(/<tr style="text-align:right"><td>22<\/td>/);
  });

  it('a preview says the rows are still being counted', () => {
    const bundle = renderResult({ ...base, rowCount: 3000, truncated: true, counting: true });
    expect(bundle['text/plain']).toMatch(/\(more than 2 rows × 2 columns · showing first 2 rows · counting the rest… · 12 ms\)$/);
    expect(bundle['text/html']).toContain('more than 2 rows × 2 columns · showing first 2 rows · counting the rest…');
  });

  it('a command is a status line, with no data resource', () => {
    const bundle = renderResult({ columns: [], rows: [], rowCount: 0, truncated: false, command: 'CREATE', elapsedMs: 1 });
    expect(bundle['text/html']).toBe('<div class="wb-sql-status">CREATE · 1 ms</div>');
    expect(bundle['application/vnd.dataresource+json']).toBeUndefined();
  });
});

describe('application/vnd.dataresource+json', () => {
  it('maps types to Table Schema and values to JSON-safe ones', () => {
    const beyond = 2n ** 53n + 1n;
    const r: ResultSet = {
      columns: [
        { name: 'i', type: 'BIGINT' },
        { name: 'big', type: 'HUGEINT' },
        { name: 'd', type: 'DATE' },
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'pgdate', type: 'date' },
        { name: 'pgts', type: 'timestamptz' },
        { name: 'dec', type: 'DECIMAL(38,2)' },
        { name: 'small', type: 'DECIMAL(10,2)' },
        { name: 'l', type: 'INTEGER[]' },
        { name: 's', type: 'STRUCT(a INTEGER, b VARCHAR)' },
        { name: 'bin', type: 'bytea' },
        { name: 'f', type: 'DOUBLE' },
        { name: 'ok', type: 'BOOLEAN' },
        { name: 'i', type: 'INTEGER' },
      ],
      rows: [
        [
          42n,
          beyond,
          new DuckDBDateValue(19724),
          new DuckDBTimestampValue(1704164645123456n),
          new Date(Date.UTC(2024, 0, 2)),
          new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
          new DuckDBDecimalValue(12345678901234567890123n, 38, 2),
          new DuckDBDecimalValue(1250n, 10, 2),
          new DuckDBListValue([1, null, 3]),
          new DuckDBStructValue({ a: 1, b: 'x' }),
          Buffer.from('hi'),
          Number.NaN,
          true,
          7,
        ],
      ],
      rowCount: 1,
      truncated: false,
    };
    const res = renderResult(r, { primaryKey: ['i'] })['application/vnd.dataresource+json']!;
    expect(res.schema).toEqual({
      fields: [
        { name: 'i', type: 'integer' },
        { name: 'big', type: 'integer' },
        { name: 'd', type: 'date' },
        { name: 'ts', type: 'datetime' },
        { name: 'pgdate', type: 'date' },
        { name: 'pgts', type: 'datetime' },
        { name: 'dec', type: 'number' },
        { name: 'small', type: 'number' },
        { name: 'l', type: 'any' },
        { name: 's', type: 'any' },
        { name: 'bin', type: 'string' },
        { name: 'f', type: 'number' },
        { name: 'ok', type: 'boolean' },
        { name: 'i_2', type: 'integer' },
      ],
      primaryKey: ['i'],
    });
    expect(res.data).toEqual([
      {
        i: 42,
        big: '9007199254740993',
        d: '2024-01-02',
        ts: '2024-01-02T03:04:05.123456',
        pgdate: '2024-01-02',
        pgts: '2024-01-02T03:04:05.000Z',
        dec: '123456789012345678901.23',
        small: 12.5,
        l: [1, null, 3],
        s: { a: 1, b: 'x' },
        bin: 'aGk=',
        f: 'NaN',
        ok: true,
        i_2: 7,
      },
    ]);
    // the whole bundle survives JSON
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  });

  it('writes time-zone timestamps as ISO 8601 with an offset', () => {
    expect(toJsonValue(new DuckDBTimestampTZValue(1704164645000000n))).toBe('2024-01-02T03:04:05+00:00');
    expect(toJsonValue(-(2n ** 60n))).toBe('-1152921504606846976');
    expect(toJsonValue(2n ** 53n - 1n)).toBe(9007199254740991);
  });
});

describe('helpers', () => {
  it.each([
    ['INTEGER', 'integer'],
    ['int8', 'integer'],
    ['UBIGINT', 'integer'],
    ['DECIMAL(18,3)', 'number'],
    ['numeric', 'number'],
    ['double precision', 'number'],
    ['VARCHAR', 'string'],
    ['text', 'string'],
    ['UUID', 'string'],
    ['TIMESTAMP WITH TIME ZONE', 'datetime'],
    ['timestamp without time zone', 'datetime'],
    ['TIMESTAMP_NS', 'datetime'],
    ['DATE', 'date'],
    ['bool', 'boolean'],
    ['INTEGER[]', 'any'],
    ['STRUCT(a INTEGER)', 'any'],
    ['MAP(VARCHAR, INTEGER)', 'any'],
    ['jsonb', 'any'],
    ['geometry', 'any'],
  ])('%s is %s in Table Schema', (sql, ts) => {
    expect(tableSchemaType(sql)).toBe(ts);
  });

  it('measures and truncates by grapheme width', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('👍🏽')).toBe(2);
    expect(truncateToWidth('日本語テキスト', 7)).toBe('日本語…');
    expect(truncateToWidth('short', 7)).toBe('short');
  });

  it('formats elapsed times', () => {
    expect([0.44, 12.4, 999, 1234, 125_000].map(formatElapsed)).toEqual(['0.4 ms', '12 ms', '999 ms', '1.23 s', '2 min 5.0 s']);
  });
});
