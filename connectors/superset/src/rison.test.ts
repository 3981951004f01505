/**
 * Rison encoding as the spec (github.com/Nanonid/rison README) and
 * Flask-AppBuilder's prison parser read it: the filters Superset's list
 * endpoints take, '!' escapes, "'" quoting, ids only where both
 * implementations agree, sorted keys; and the decoder the simulator uses.
 */
import { RisonSyntaxError, risonDecode, risonEncode } from './rison';

describe('risonEncode', () => {
  it('encodes the filters of a Superset list query', () => {
    expect(risonEncode({ filters: [{ col: 'table_name', opr: 'eq', value: 'gold_trial_balance' }] })).toBe('(filters:!((col:table_name,opr:eq,value:gold_trial_balance)))');
    expect(risonEncode({ filters: [{ col: 'database', opr: 'rel_o_m', value: 3 }], page_size: 100 })).toBe('(filters:!((col:database,opr:rel_o_m,value:3)),page_size:100)');
  });

  it('sorts object keys and leaves out undefined members', () => {
    expect(risonEncode({ opr: 'eq', col: 'schema', value: 'serving', extra: undefined })).toBe('(col:schema,opr:eq,value:serving)');
  });

  it('writes the literals as ! sequences', () => {
    expect(risonEncode(true)).toBe('!t');
    expect(risonEncode(false)).toBe('!f');
    expect(risonEncode(null)).toBe('!n');
    expect(risonEncode([])).toBe('!()');
    expect(risonEncode({})).toBe('()');
  });

  it('writes numbers as JSON does, without "+" in the exponent', () => {
    expect(risonEncode(42)).toBe('42');
    expect(risonEncode(-1.5)).toBe('-1.5');
    expect(risonEncode(1e21)).toBe('1e21');
    expect(risonEncode(Number.NaN)).toBe('!n');
  });

  it('leaves identifiers unquoted and quotes everything else', () => {
    expect(risonEncode('serving')).toBe('serving');
    expect(risonEncode('a.b/c~d-e_f')).toBe('a.b/c~d-e_f');
    expect(risonEncode('')).toBe("''");
    expect(risonEncode('gold trial balance')).toBe("'gold trial balance'");
    // Strings that would read as numbers or start with '-'.
    expect(risonEncode('2024')).toBe("'2024'");
    expect(risonEncode('-x')).toBe("'-x'");
    // rison.js would leave these unquoted, prison would not parse them as ids: quoted.
    expect(risonEncode('a&b')).toBe("'a&b'");
    expect(risonEncode('ünïcode')).toBe("'ünïcode'");
    // Rison syntax characters.
    expect(risonEncode('a:b')).toBe("'a:b'");
    expect(risonEncode('(x)')).toBe("'(x)'");
  });

  it("escapes ! and ' with ! inside quoted strings", () => {
    expect(risonEncode("don't")).toBe("'don!'t'");
    expect(risonEncode('wow!')).toBe("'wow!!'");
    expect(risonEncode("!'")).toBe("'!!!''");
  });

  it('quotes object keys that are not identifiers', () => {
    expect(risonEncode({ 'a b': 1, ok: 2 })).toBe("('a b':1,ok:2)");
  });
});

describe('risonDecode', () => {
  it('reads back what the encoder writes', () => {
    const values = [
      { filters: [{ col: 'table_name', opr: 'eq', value: "O'Brien & Sons!" }], page: 0, page_size: 25, order_direction: 'desc' },
      [true, false, null, -3.25, '', '2024', 'x y'],
      { nested: { deeper: ['a', { b: '!' }] } },
    ];
    for (const v of values) expect(risonDecode(risonEncode(v))).toEqual(v);
  });

  it('reads the spec examples', () => {
    expect(risonDecode('(any:json,yes:!t)')).toEqual({ any: 'json', yes: true });
    expect(risonDecode("!(A,'B C',(supportsObjects:!t))")).toEqual(['A', 'B C', { supportsObjects: true }]);
    expect(risonDecode('1.5e-3')).toBe(0.0015);
  });

  it('rejects what prison rejects', () => {
    for (const bad of ['', '(a:1', '!(1,2', "'open", '!x', "'bad!escape'", '(a)', '(a:1,)', 'a b', '{"json":1}', '(a:1)x']) {
      expect(() => risonDecode(bad)).toThrow(RisonSyntaxError);
    }
  });
});
