import { documentSpec, formatDate, formatNumber, LAYOUTS } from './documents';
import { scoreExtraction } from './score';
import type { ExtractedField, FieldName } from '../../ocr/types';

describe('corpus documents', () => {
  test('the same seed and index give the same document; another seed another', () => {
    expect(documentSpec(1, 7)).toEqual(documentSpec(1, 7));
    expect(documentSpec(2, 7).truth).not.toEqual(documentSpec(1, 7).truth);
  });

  test('60 documents cover every layout, kind and currency; totals add up', () => {
    const specs = Array.from({ length: 60 }, (_, i) => documentSpec(1, i));
    expect(new Set(specs.map((s) => s.layout))).toEqual(new Set(LAYOUTS));
    expect(new Set(specs.map((s) => s.kind))).toEqual(new Set(['image', 'text-pdf', 'scanned-pdf', 'scanned-image']));
    expect(new Set(specs.map((s) => s.truth.currency))).toEqual(new Set(['EUR', 'USD', 'GBP', 'PHP']));
    expect(specs.filter((s) => s.degrade).length).toBe(20);
    for (const s of specs) {
      const t = s.truth;
      expect(t.lines.length).toBeGreaterThanOrEqual(1);
      expect(t.lines.length).toBeLessThanOrEqual(8);
      const sum = t.lines.reduce((a, l) => a + Number(l.amount), 0);
      expect(Number(t.subtotal)).toBeCloseTo(sum, 2);
      expect(Number(t.total)).toBeCloseTo(Number(t.subtotal) + Number(t.tax), 2);
      for (const l of t.lines) expect(Number(l.amount)).toBeCloseTo(Number(l.quantity) * Number(l.unit_price), 2);
      expect(t.invoice_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (s.layout === 'classic' || s.layout === 'two-column' || s.layout === 'european') expect(t.vendor_vat).toMatch(/^[A-Z0-9]+$/);
    }
  });

  test('number and date styles', () => {
    expect(formatNumber('1234567.50', 'dot')).toBe('1,234,567.50');
    expect(formatNumber('1234567.50', 'comma')).toBe('1.234.567,50');
    expect(formatNumber('1234.50', 'space')).toBe('1\u202f234,50');
    expect(formatDate('2025-01-05', 'mdy-slash')).toBe('01/05/2025');
    expect(formatDate('2025-01-05', 'month-d-y')).toBe('January 5, 2025');
    expect(formatDate('2025-01-05', 'dmy-dot')).toBe('05.01.2025');
  });
});

describe('scoreExtraction', () => {
  const truth = documentSpec(1, 0).truth;
  const field = (value: string | null): ExtractedField => ({ value, confidence: value ? 0.9 : 0, source: 'ocr' });
  const fromTruth = () => ({
    fields: Object.fromEntries((['vendor', 'vendor_vat', 'invoice_number', 'invoice_date', 'due_date', 'currency', 'subtotal', 'tax', 'total'] as FieldName[]).map((k) => [k, field(truth[k])])) as Record<FieldName, ExtractedField>,
    lines: truth.lines.map((l) => ({ ...l, confidence: 0.9 })),
  });

  test('a perfect reading scores every field', () => {
    const s = scoreExtraction(fromTruth(), truth);
    expect(s.correct).toBe(s.counted);
    expect(s.counted).toBe(11);
  });

  test('vendor case and spaces do not matter; tax ids compare by letters and digits; amounts exactly', () => {
    const ex = fromTruth();
    ex.fields.vendor = field(`  ${truth.vendor.toUpperCase().replace(/ /g, '  ')} `);
    ex.fields.vendor_vat = field(`${truth.vendor_vat!.slice(0, 2)} ${truth.vendor_vat!.slice(2)}`);
    ex.fields.total = field(String(Number(truth.total) + 0.01));
    ex.lines = ex.lines.slice(1);
    const s = scoreExtraction(ex, truth);
    const wrong = s.fields.filter((f) => !f.correct).map((f) => f.field);
    expect(wrong).toEqual(['total', 'lines.count', 'lines.amounts']);
  });

  test('a field the document does not have is correct only when absent, and then not counted', () => {
    const receipt = documentSpec(1, 3).truth;
    expect(receipt.due_date).toBeNull();
    const ex = { fields: { ...fromTruth().fields, due_date: field('2025-01-01') }, lines: [] };
    const s = scoreExtraction(ex, receipt);
    expect(s.fields.find((f) => f.field === 'due_date')).toMatchObject({ correct: false, counted: false });
    expect(s.spurious).toBeGreaterThanOrEqual(1);
  });
});
