import { canonicalAmount, changedFields, correctionOf, fieldTexts, fieldValue, linesChanged, sentLines } from './corrections';
import { DOC } from './testing/fixtures';

describe('canonicalAmount', () => {
  it.each([
    ['1197.90', '1197.90'],
    [' 1,197.90 ', '1197.90'],
    ['1 197.90', '1197.90'],
    ["1'197.90", '1197.90'],
    ['1.197,90', '1197.90'],
    ['12,50', '12.50'],
    ['-3,5', '-3.5'],
    ['12,500', '12,500'],
    ['1,234,567', '1234567'],
    ['abc', 'abc'],
  ])('%j -> %j', (typed, sent) => expect(canonicalAmount(typed)).toBe(sent));
});

describe('fieldValue', () => {
  it('trims, sends an empty field as null, amounts canonical, the currency upper case, text as typed', () => {
    expect(fieldValue('vendor', '  Delta Telecom GmbH ')).toBe('Delta Telecom GmbH');
    expect(fieldValue('due_date', '   ')).toBeNull();
    expect(fieldValue('total', '1,197.90')).toBe('1197.90');
    expect(fieldValue('currency', 'eur')).toBe('EUR');
    expect(fieldValue('invoice_number', 'dt-2026-0417')).toBe('dt-2026-0417');
  });
});

describe('changedFields', () => {
  it('is only the fields whose value differs, with the value to send', () => {
    const texts = { ...fieldTexts(DOC.fields), total: '1,197.90', due_date: '' };
    expect(changedFields(DOC.fields, texts)).toEqual({ total: '1197.90', due_date: null });
  });

  it('is empty when what is typed reads as the same value (spaces, grouping)', () => {
    expect(changedFields(DOC.fields, { ...fieldTexts(DOC.fields), subtotal: ' 990.00 ', vendor: 'Delta Telecom GmbH ' })).toEqual({});
  });

  it('fills a field that was not read', () => {
    const fields = { ...DOC.fields!, vendor_vat: { value: null, confidence: 0, source: 'ocr' as const } };
    expect(changedFields(fields, { vendor_vat: 'EU138620099' })).toEqual({ vendor_vat: 'EU138620099' });
  });
});

describe('lines', () => {
  const lines = DOC.lines;
  const typed = lines.map((l) => ({ description: l.description, quantity: l.quantity, unit_price: l.unit_price, amount: l.amount }));

  it('are unchanged when only confidence or box differ, or when a value is typed the same way in another form', () => {
    expect(linesChanged(lines, typed)).toBe(false);
    expect(linesChanged(lines, [{ ...typed[0]!, amount: '890,00' }, ...typed.slice(1)])).toBe(false);
  });

  it('changed when a value, a line added or removed differs; empty added lines are dropped', () => {
    expect(linesChanged(lines, [{ ...typed[0]!, amount: '880.00' }, ...typed.slice(1)])).toBe(true);
    expect(linesChanged(lines, typed.slice(1))).toBe(true);
    expect(linesChanged(lines, [...typed, { description: '', quantity: null, unit_price: '', amount: null }])).toBe(false);
    expect(sentLines([...typed, { description: ' Delivery ', quantity: '1', unit_price: '9,90', amount: '9,90' }]).at(-1)).toEqual({ description: 'Delivery', quantity: '1', unit_price: '9.90', amount: '9.90' });
  });
});

describe('correctionOf', () => {
  it('is null when nothing changed', () => {
    expect(correctionOf(DOC, fieldTexts(DOC.fields), DOC.lines)).toBeNull();
  });

  it('sends the changed fields with the version loaded, and the lines only when one changed', () => {
    expect(correctionOf(DOC, { ...fieldTexts(DOC.fields), total: '1197.90' }, DOC.lines)).toEqual({ fields: { total: '1197.90' }, version: 3 });
    const lines = DOC.lines.map((l, i) => ({ description: l.description, quantity: l.quantity, unit_price: l.unit_price, amount: i === 2 ? '55.00' : l.amount }));
    expect(correctionOf(DOC, fieldTexts(DOC.fields), lines)).toEqual({ lines: [...lines.slice(0, 2), { ...lines[2]!, amount: '55.00' }], version: 3 });
  });
});
