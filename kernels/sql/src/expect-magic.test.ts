import { checkLabel, DEFAULT_SAMPLE, parseExpectLine } from './expect-magic';
import { isComplete, parseCell } from './magics';
import { SqlError } from './sql-error';

/** Parse `line` (a cell's first line) the way parseCell does. */
const parse = (line: string) => parseCell(`${line}\nSELECT 1`).expect!;

function refusal(line: string): { message: string; column: number | undefined } {
  try {
    parseCell(`${line}\nSELECT 1`);
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).kind).toBe('magic');
    return { message: (err as Error).message, column: (err as SqlError).column };
  }
  throw new Error(`expected ${line} to be refused`);
}

describe('%%expect line', () => {
  it('takes a bare name with defaults: severity fail, sample 20, no amount, stop on failure', () => {
    expect(parse('%%expect unbalanced_moves')).toEqual({ name: 'unbalanced_moves', severity: 'fail', sample: DEFAULT_SAMPLE, continueOnFailure: false });
    expect(parse('%%expect  close.tb-zero_2 ')).toMatchObject({ name: 'close.tb-zero_2' });
  });

  it('takes every option, in any order, with quoted names and values', () => {
    const line = '%%expect "Trial balance is zero" sample=5 continue materiality=0.01 amount="Net amount" severity=warn';
    expect(parse(line)).toEqual({ name: 'Trial balance is zero', severity: 'warn', amount: 'Net amount', amountAt: line.indexOf('"Net amount"'), materiality: '0.01', sample: 5, continueOnFailure: true });
    expect(parse('%%expect "say \\"hi\\" \\u00e9" amount=diff')).toMatchObject({ name: 'say "hi" é', amount: 'diff', amountAt: '%%expect "say \\"hi\\" \\u00e9" amount='.length });
    expect(parse('%%expect x sample=0 materiality=12 amount=a')).toMatchObject({ sample: 0, materiality: '12' });
  });

  it('takes a currency column and a materiality per currency: listed ones, * for the rest', () => {
    const line = '%%expect fx_diff amount=difference currency=currency_code materiality=EUR:0.01,JPY:1,*:0.05';
    expect(parse(line)).toEqual({
      name: 'fx_diff',
      severity: 'fail',
      sample: DEFAULT_SAMPLE,
      continueOnFailure: false,
      amount: 'difference',
      amountAt: line.indexOf('difference'),
      currency: 'currency_code',
      currencyAt: line.indexOf('currency_code'),
      materiality: '0.05',
      currencyMateriality: new Map([
        ['EUR', '0.01'],
        ['JPY', '1'],
      ]),
    });
    // Without *, unlisted currencies have no materiality (0); one value applies to every currency.
    expect(parse('%%expect x amount=a currency=c materiality=JPY:10')).toMatchObject({ currencyMateriality: new Map([['JPY', '10']]) });
    expect(parse('%%expect x amount=a currency=c materiality=JPY:10').materiality).toBeUndefined();
    expect(parse('%%expect x amount=a currency=c materiality=0.01')).toMatchObject({ currency: 'c', materiality: '0.01' });
    expect(parse('%%expect x amount=a currency=c materiality=0.01').currencyMateriality).toBeUndefined();
    expect(parse('%%expect x amount=a currency=c materiality=*:0.5')).toMatchObject({ materiality: '0.5', currencyMateriality: new Map() });
    // Quoted: blanks around items, currencies with spaces.
    expect(parse('%%expect x amount=a currency="Company currency" materiality="US Dollar: 0.01, * : 2"')).toMatchObject({
      currency: 'Company currency',
      materiality: '2',
      currencyMateriality: new Map([['US Dollar', '0.01']]),
    });
  });

  it('makes the cell a cell magic whose body is the SQL', () => {
    const cell = parseCell('%%expect x severity=warn\n-- connection: odoo\nSELECT id FROM t WHERE v = $v;');
    expect(cell).toMatchObject({ cellMagic: true, connection: 'odoo', expect: { name: 'x', severity: 'warn' } });
    expect(cell.statements.map((s) => [s.text, s.sql, s.parameters])).toEqual([['SELECT id FROM t WHERE v = $v', 'SELECT id FROM t WHERE v = $1', ['v']]]);
    expect(isComplete('%%expect x\n')).toBe('incomplete');
    expect(isComplete('%%expect x\nSELECT 1')).toBe('complete');
    expect(isComplete('%%expect x severity=maybe\nSELECT 1')).toBe('invalid');
  });

  it.each<[string, string, string]>([
    ['no name', '%%expect', 'it needs a check name first, e.g. %%expect unbalanced_moves'],
    ['an option first', '%%expect severity=warn', 'it needs a check name first'],
    ['a name with spaces unquoted', '%%expect trial balance', 'unknown option balance'],
    ['a name with other characters', '%%expect tb/zero', '"tb/zero" is not a check name: use letters, digits, _ . - or quote it'],
    ['a blank quoted name', '%%expect "  "', '"  " is not a check name'],
    ['an unknown option', '%%expect x severity=warn level=3', 'unknown option level (have severity, amount, currency, materiality, sample, continue)'],
    ['an option twice', '%%expect x severity=warn severity=fail', 'severity is given twice'],
    ['a bad severity', '%%expect x severity=error', 'severity must be fail or warn, not "error"'],
    ['a negative materiality', '%%expect x amount=a materiality=-1', 'materiality must be a non-negative decimal number such as 0.01, or a list per currency such as EUR:0.01,JPY:1,*:0.05, not "-1"'],
    ['a materiality in exponent form', '%%expect x amount=a materiality=1e3', 'materiality must be a non-negative decimal number such as 0.01, or a list per currency such as EUR:0.01,JPY:1,*:0.05, not "1e3"'],
    ['a materiality per currency without currency=', '%%expect x amount=a materiality=EUR:0.01,JPY:1', 'a materiality per currency needs currency=<column>'],
    ['a default-only materiality list without currency=', '%%expect x amount=a materiality=*:0.05', 'a materiality per currency needs currency=<column>'],
    ['currency without amount', '%%expect x currency=cur', 'currency needs amount=<column>'],
    ['an empty currency', '%%expect x amount=a currency=', 'currency needs a column name'],
    ['a currency materiality that is not a decimal', '%%expect x amount=a currency=c materiality=EUR:0.01,JPY:-1', 'materiality of JPY must be a non-negative decimal number such as 0.01, not "-1"'],
    ['a currency materiality in exponent form', '%%expect x amount=a currency=c materiality=EUR:1e-2', 'materiality of EUR must be a non-negative decimal number such as 0.01, not "1e-2"'],
    ['a currency without its materiality', '%%expect x amount=a currency=c materiality=EUR:', 'materiality of EUR must be a non-negative decimal number such as 0.01, not ""'],
    ['an item without a currency', '%%expect x amount=a currency=c materiality=EUR:0.01,0.05', 'a materiality per currency is CURRENCY:DECIMAL items separated by commas, such as EUR:0.01,JPY:1,*:0.05, not "0.05"'],
    ['an empty item', '%%expect x amount=a currency=c materiality=EUR:0.01,,JPY:1', 'a materiality per currency is CURRENCY:DECIMAL items separated by commas, such as EUR:0.01,JPY:1,*:0.05, not ""'],
    ['a currency listed twice', '%%expect x amount=a currency=c materiality=EUR:0.01,JPY:1,EUR:0.02', 'materiality of EUR is given twice'],
    ['the default listed twice', '%%expect x amount=a currency=c materiality=*:1,*:2', 'materiality of * is given twice'],
    ['materiality without amount', '%%expect x materiality=0.01', 'materiality needs amount=<column>'],
    ['an empty amount', '%%expect x amount=', 'amount needs a column name'],
    ['a sample too large', '%%expect x sample=1001', 'sample must be a whole number from 0 to 1000, not "1001"'],
    ['a fractional sample', '%%expect x sample=2.5', 'sample must be a whole number from 0 to 1000, not "2.5"'],
    ['a value for continue', '%%expect x continue=yes', 'continue is a flag and takes no value'],
    ['an unclosed quote', '%%expect "Trial balance', 'a quoted value is not closed'],
    ['a bad escape', '%%expect "a\\qb"', '"a\\qb" is not a valid quoted value (JSON string escapes)'],
    ['text glued to a quote', '%%expect "a"b', 'unexpected "b" after "a"'],
  ])('refuses %s, pointing at it', (_what, line, message) => {
    expect(refusal(line).message).toContain(`Cannot parse %%expect: ${message}`);
  });

  it('points the error at the word or value at fault', () => {
    expect(refusal('%%expect x severity=fatal').column).toBe('%%expect x severity='.length + 1);
    expect(refusal('%%expect x  bogus').column).toBe('%%expect x  '.length + 1);
    expect(refusal('   %%expect x materiality=0.01').column).toBe('   %%expect x '.length + 1);
    // A list per currency without currency=: at the materiality option.
    expect(refusal('%%expect x amount=a materiality=EUR:0.01,JPY:1').column).toBe('%%expect x amount=a '.length + 1);
    expect(refusal('%%expect x amount=a currency=c materiality=EUR:0.01,JPY:x').column).toBe('%%expect x amount=a currency=c materiality=EUR:0.01,JPY:'.length + 1);
    expect(refusal('%%expect x amount=a currency=c materiality=EUR:0.01,,JPY:1').column).toBe('%%expect x amount=a currency=c materiality=EUR:0.01,'.length + 1);
    expect(refusal('%%expect x amount=a currency=c materiality=EUR:1,EUR:2').column).toBe('%%expect x amount=a currency=c materiality=EUR:1,'.length + 1);
    expect(refusal('%%expect x severity=warn currency=c').column).toBe('%%expect x severity=warn '.length + 1);
  });

  it('stays the first line of its cell', () => {
    expect(() => parseCell('%connect odoo\n%%expect x\nSELECT 2')).toThrow('Cannot run cell: %%expect must be the first line of the cell');
  });

  it('labels names for messages: bare when it can, else quoted', () => {
    expect(checkLabel('tb_zero')).toBe('tb_zero');
    expect(checkLabel('Trial balance')).toBe('"Trial balance"');
    expect(parseExpectLine('x', 'x', 0).name).toBe('x');
  });
});
