import type { FieldsResult } from './extract-fields';
import { removeRules } from './rules';
import { mergeReadings, needsSecondLook } from './second-look';
import { FIELD_NAMES, type ExtractedField, type FieldName } from './types';
import type { Gray } from './raster';

const f = (value: string | null, confidence = 0.9): ExtractedField => (value === null ? { value: null, confidence: 0, source: 'ocr' } : { value, confidence, source: 'ocr' });

function reading(values: Partial<Record<FieldName, string | null>>, lines: [string | null, number][] = [], text = ''): FieldsResult {
  const fields = Object.fromEntries(FIELD_NAMES.map((n) => [n, f(values[n] ?? null)])) as Record<FieldName, ExtractedField>;
  return { fields, lines: lines.map(([amount, confidence]) => ({ description: 'x', quantity: null, unit_price: null, amount, confidence })), text };
}

const good = { vendor: 'Acme Ltd', invoice_number: 'A-1', invoice_date: '2025-01-15', subtotal: '100.00', tax: '20.00', total: '120.00' };

describe('second look', () => {
  test('a complete, consistent reading needs none', () => {
    expect(needsSecondLook(reading(good, [['100.00', 0.9]], 'Total 120.00'))).toBe(false);
  });

  test('a missing key field, an unread due date, totals that do not add up, an unreadable line all do', () => {
    expect(needsSecondLook(reading({ ...good, invoice_date: null }))).toBe(true);
    expect(needsSecondLook(reading(good, [], 'Due d. date 405.202'))).toBe(true);
    expect(needsSecondLook(reading(good, [], 'AMOUNT DUE 120.00'))).toBe(false);
    expect(needsSecondLook(reading({ ...good, total: '128.00' }))).toBe(true);
    expect(needsSecondLook(reading(good, [[null, 0.3]]))).toBe(true);
  });

  test('the second reading fills gaps and replaces totals and lines only where it adds up', () => {
    const first = reading({ ...good, due_date: null, total: '128.00' }, [['90.00', 0.9]]);
    const second = reading({ ...good, vendor: 'ACME LTD (misread)', due_date: '2025-02-14' }, [['100.00', 0.9]]);
    const m = mergeReadings(first, second);
    expect(m.fields.vendor.value).toBe('Acme Ltd');
    expect(m.fields.due_date).toEqual({ value: '2025-02-14', confidence: 0.81, source: 'ocr' });
    expect(m.fields.total.value).toBe('120.00');
    expect(m.lines.map((l) => l.amount)).toEqual(['100.00']);
    // a second reading that is no better changes nothing
    expect(mergeReadings(first, reading({}))).toEqual(first);
  });
});

describe('removeRules', () => {
  test('erases a long thin line but keeps the glyph that crosses it and short strokes', () => {
    const width = 400;
    const height = 100;
    const data = new Uint8Array(width * height).fill(240);
    for (let x = 20; x < 380; x++) for (let y = 50; y < 52; y++) data[y * width + x] = 10; // a 2 px rule
    for (let y = 30; y < 70; y++) for (let x = 100; x < 104; x++) data[y * width + x] = 10; // a stem across it
    for (let x = 200; x < 230; x++) data[20 * width + x] = 10; // a short stroke
    const out = removeRules({ width, height, data } as Gray).data;
    expect(out[50 * width + 300]).toBe(240);
    expect(out[50 * width + 101]).toBe(10);
    expect(out[20 * width + 210]).toBe(10);
    expect(out[35 * width + 101]).toBe(10);
  });
});
