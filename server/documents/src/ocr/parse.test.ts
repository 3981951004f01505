import { canonicalTaxId, currencyVotes, detectDateOrder, detectDecimalMark, findDates, fixDigits, parseAmount, parseDate } from './parse';

describe('parseAmount', () => {
  test.each([
    ['1,234.56', '1234.56'],
    ['1.234,56', '1234.56'],
    ['1 234,56', '1234.56'],
    ['1\u202f234,56', '1234.56'],
    ["1'234.50", '1234.50'],
    ['12.5', '12.50'],
    ['0,99', '0.99'],
    ['1,234', '1234.00'],
    ['1.234.567,89', '1234567.89'],
    ['$1,234.56', '1234.56'],
    ['€12,00', '12.00'],
    ['EUR 12,00', '12.00'],
    ['PHP1,500.00', '1500.00'],
    ['12.00 €', '12.00'],
    ['(12.00)', '-12.00'],
    ['12.00-', '-12.00'],
    ['1O.50', '10.50'],
    ['12S.00', '125.00'],
    ['42', '42.00'],
  ])('%s -> %s', (raw, want) => {
    expect(parseAmount(raw)?.value).toBe(want);
  });

  test.each(['', 'abc', '1,23,4', '1.234.56', '12..5', '1,2345', '12,345,67', '1.234,567'])('%j is not an amount', (raw) => {
    expect(parseAmount(raw)).toBeNull();
  });

  test('reports decimals', () => {
    expect(parseAmount('1,234')?.decimals).toBe(0);
    expect(parseAmount('3.5')?.decimals).toBe(1);
    expect(parseAmount('3.50')?.decimals).toBe(2);
  });
});

describe('dates', () => {
  test.each([
    ['2025-01-15', '2025-01-15'],
    ['15/01/2025', '2025-01-15'],
    ['01/15/2025', '2025-01-15'],
    ['15.01.2025', '2025-01-15'],
    ['15 Jan 2025', '2025-01-15'],
    ['15th January 2025', '2025-01-15'],
    ['15-Jan-2025', '2025-01-15'],
    ['January 15, 2025', '2025-01-15'],
    ['Jan. 5, 2025', '2025-01-05'],
    ['Sept 30 2024', '2024-09-30'],
    ['Date: 03/10/2025 18:38', '2025-10-03'],
    ['2025/02/28', '2025-02-28'],
    ['15.01.25', '2025-01-15'],
  ])('%s -> %s', (text, want) => {
    expect(parseDate(text)).toBe(want);
  });

  test('ambiguous slashed dates follow the order, unambiguous ones do not', () => {
    expect(parseDate('03/04/2025', 'dmy')).toBe('2025-04-03');
    expect(parseDate('03/04/2025', 'mdy')).toBe('2025-03-04');
    expect(parseDate('13/04/2025', 'mdy')).toBe('2025-04-13');
    expect(findDates('03/04/2025')[0]?.ambiguous).toBe(true);
    expect(findDates('13/04/2025')[0]?.ambiguous).toBe(false);
    // dotted dates are always day first
    expect(parseDate('03.04.2025', 'mdy')).toBe('2025-04-03');
  });

  test('invalid dates and times are not dates', () => {
    expect(parseDate('31/02/2025')).toBeNull();
    expect(parseDate('2025-13-01')).toBeNull();
    expect(parseDate('18:38')).toBeNull();
    expect(parseDate('Total 1,234.56')).toBeNull();
  });

  test('the order of a document comes from its dates, then its currency', () => {
    expect(detectDateOrder('Date 25/02/2024 due 01/03/2024')).toBe('dmy');
    expect(detectDateOrder('Date 02/25/2024 due 03/01/2024')).toBe('mdy');
    expect(detectDateOrder('Date 02/03/2024', 'USD')).toBe('mdy');
    expect(detectDateOrder('Date 02/03/2024', 'GBP')).toBe('dmy');
  });

  test('OCR letters inside dates are read as digits', () => {
    expect(parseDate('2O25-0l-15')).toBe('2025-01-15');
  });
});

describe('currency', () => {
  const top = (text: string) => {
    const w = new Map<string, number>();
    for (const v of currencyVotes(text)) w.set(v.code, (w.get(v.code) ?? 0) + v.weight);
    return [...w.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  test.each([
    ['Total EUR 1.234,56', 'EUR'],
    ['Total £5,055.31', 'GBP'],
    ['Amount due $4,152.02', 'USD'],
    ['AMOUNT DUE ₱865.01', 'PHP'],
    ['AMOUNT DUE P865.01', 'PHP'],
    ['TOTAL P 1,865.01', 'PHP'],
    ['Total 12,00 €', 'EUR'],
    ['VAT Reg No: GB 123456789', 'GBP'],
    ['VAT ID DE123456789', 'EUR'],
    ['Total 12.00 CHF', 'CHF'],
  ])('%s -> %s', (text, want) => {
    expect(top(text)).toBe(want);
  });

  test('a P that is part of a word or code is not a peso sign', () => {
    expect(top('PO Box 12 Page 1 P2')).toBeUndefined();
  });

  test('the decimal mark of a document', () => {
    expect(detectDecimalMark('Net 1.234,56 VAT 234,56')).toBe('comma');
    expect(detectDecimalMark('Net 1,234.56 VAT 234.56')).toBe('dot');
    expect(detectDecimalMark('no numbers')).toBeUndefined();
  });
});

test('tax ids compare by letters and digits', () => {
  expect(canonicalTaxId('GB 123 4567 89')).toBe('GB123456789');
  expect(canonicalTaxId('123-456-789-000')).toBe('123456789000');
  expect(canonicalTaxId('nl123456789b01')).toBe('NL123456789B01');
});

test('fixDigits only touches mostly-digit tokens', () => {
  expect(fixDigits('1O.50')).toBe('10.50');
  expect(fixDigits('OO.O1')).toBe('OO.O1');
  expect(fixDigits('Total')).toBe('Total');
  expect(fixDigits('SOLD')).toBe('SOLD');
});
