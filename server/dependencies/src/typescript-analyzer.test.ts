/** TypeScript (tslab) cells through the compiler API. */
import { TypeScriptAnalyzer } from './typescript-analyzer';

const analyzer = new TypeScriptAnalyzer();

describe('TypeScriptAnalyzer', () => {
  it('top-level declarations are defines; names resolving nowhere in the cell, and not globals, are reads', () => {
    const [r] = analyzer.analyze([
      [
        "import * as fs from 'node:fs';",
        "import Decimal, { round as roundTo, type Rounding } from 'decimal.js';",
        'const { rows, columns: cols = defaultColumns } = await loadTable(tableName);',
        'let [first, , third] = rows;',
        'function total(xs: Row[]): Decimal { return xs.reduce((s, r) => s.plus(r.amount), new Decimal(0)) }',
        'class Ledger extends Base implements Summary { lines = rows; sum() { return roundTo(total(this.lines), precision) } }',
        'enum Kind { Debit = 1, Credit = Debit + offset }',
        'interface Row { amount: number; kind: Kind }',
        'type Mode = Rounding | ExtraMode;',
        'console.log(JSON.stringify({ first, third, cols, fs: fs.existsSync(dir) }), Math.max(1, 2), process.env.HOME);',
        'for (const row of rows) { const local = row.amount * rate; }',
        'outer: while (true) { break outer; }',
      ].join('\n'),
    ]);
    expect(r!.defines).toEqual(['Decimal', 'Kind', 'Ledger', 'Mode', 'Row', 'cols', 'first', 'fs', 'roundTo', 'Rounding', 'rows', 'third', 'total'].sort());
    expect(r!.reads).toEqual(['Base', 'ExtraMode', 'Summary', 'defaultColumns', 'dir', 'loadTable', 'offset', 'precision', 'rate', 'tableName']);
    expect(r!.errors).toBeUndefined();
  });

  it('each cell has its own top-level scope: a name another cell defines is a read', () => {
    const [a, b] = analyzer.analyze(['const rate = 1.2;\nexport const vat = 0.2;', 'const gross = net * (1 + vat) * rate;\nconst net = 100;']);
    expect(a).toEqual({ defines: ['rate', 'vat'], reads: [] });
    // net is declared in the cell (after its use, as TypeScript sees the whole block): not a read.
    expect(b).toEqual({ defines: ['gross', 'net'], reads: ['rate', 'vat'] });
  });

  it('shorthand properties, typeof, computed keys and JSX-free generics are reads; property names are not', () => {
    const [r] = analyzer.analyze([['const o = { a, b: c, [key]: 1, d() { return e } };', 'let t: typeof template;', 'const m = new Map<string, Thing>();', 'o.a.b.c;', 'globalThis.x; undefined;'].join('\n')]);
    expect(r!.reads).toEqual(['Thing', 'a', 'c', 'e', 'key', 'template']);
  });

  it('a syntax error is the cell\'s error; the names it could read are kept', () => {
    const [r] = analyzer.analyze(['const ok = source;\nconst broken = ;']);
    expect(r!.defines).toEqual(['broken', 'ok']);
    expect(r!.reads).toEqual(['source']);
    expect(r!.errors).toBe('Cannot parse the TypeScript cell: Expression expected. (line 2)');
  });

  it('no cells, no work', () => {
    expect(analyzer.analyze([])).toEqual([]);
  });
});
