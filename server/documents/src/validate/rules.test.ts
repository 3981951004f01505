import { cents, checkRules, dayOf } from './rules';
import { matchVendor, normaliseName, similarity } from './vendor-match';

const today = dayOf('2026-01-15')!;
const ok = { vendor: 'Acme', invoice_number: 'A-1', invoice_date: '2026-01-10', currency: 'EUR', subtotal: '100.00', tax: '21.00', total: '121.00' };
const line = (amount: string, quantity: string | null = '1', unit_price: string | null = amount) => ({ description: 'x', quantity, unit_price, amount });

describe('checkRules', () => {
  it('passes a bill whose lines, subtotal, tax and total agree', () => {
    expect(checkRules(ok, [line('60.00'), line('40.00', '2', '20.00')], { today })).toEqual([]);
  });

  it('names each missing required field', () => {
    expect(checkRules({ ...ok, vendor: null, invoice_number: ' ', total: undefined }, [], { today }).map((i) => i.message)).toEqual(['Vendor is missing', 'Invoice number is missing', 'Total is missing']);
  });

  it('says which sum is off, to the cent', () => {
    expect(checkRules({ ...ok, total: '121.01' }, [], { today }).map((i) => i.message)).toEqual(['Subtotal 100.00 + tax 21.00 = 121.00, not the total 121.01']);
    expect(checkRules(ok, [line('60.00'), line('39.99')], { today }).map((i) => i.message)).toEqual(['The lines add up to 99.99, not the subtotal 100.00']);
    expect(checkRules({ ...ok, subtotal: null }, [line('100.00')], { today })).toEqual([]);
    expect(checkRules(ok, [line('60.00', '3', '25.00'), line('40.00')], { today }).map((i) => [i.severity, i.message])).toEqual([['warning', 'Line 1: 3 × 25.00 is 75.00, not 60.00']]);
  });

  it('checks dates, currency and amounts', () => {
    const msgs = (f: object) => checkRules({ ...ok, ...f }, [], { today }).map((i) => i.message);
    expect(msgs({ invoice_date: '2026-02-30' })).toEqual(['Invoice date "2026-02-30" is not a date']);
    expect(msgs({ invoice_date: '2026-03-01' })).toEqual(['Invoice date 2026-03-01 is in the future']);
    expect(msgs({ invoice_date: '2022-01-01' })).toEqual(['Invoice date 2022-01-01 is more than 730 days old']);
    expect(msgs({ due_date: '2026-01-01' })).toEqual(['Due date 2026-01-01 is before the invoice date 2026-01-10']);
    expect(msgs({ currency: 'EURO' })).toEqual(['Currency "EURO" is not an ISO 4217 code']);
    expect(msgs({ currency: 'XYZ' })).toEqual(['Currency "XYZ" is not an ISO 4217 code']);
    expect(msgs({ tax: 'lots' })).toEqual(['Tax "lots" is not an amount']);
    expect(msgs({ subtotal: '-121.00', tax: '0.00', total: '-121.00' })).toEqual(['Total -121.00 must be positive']);
  });

  it('parses canonical amounts and dates only', () => {
    expect([cents('12.5'), cents('1,234.00'), cents('0.01'), cents(null)]).toEqual([1250, undefined, 1, undefined]);
    expect([dayOf('1970-01-02'), dayOf('15/01/2026')]).toEqual([1, undefined]);
  });
});

describe('matchVendor', () => {
  const partners = [
    { id: 1, name: 'Acme Supplies Ltd.', vat: 'BE 0123.456.789' },
    { id: 2, name: 'Globex GmbH', vat: null },
    { id: 3, name: 'Initech S.A.', vat: 'FR12345678901' },
    { id: 4, name: 'Initrode SA', vat: null },
  ];
  it('matches by VAT first, with or without the country prefix and punctuation', () => {
    expect(matchVendor('Somebody Else', 'be0123456789', partners)).toEqual({ partnerId: 1, name: 'Acme Supplies Ltd.', method: 'vat', score: 1 });
    expect(matchVendor(null, '12345678901', partners)).toMatchObject({ partnerId: 3, method: 'vat' });
  });
  it('matches the exact name ignoring case, punctuation and legal forms', () => {
    expect(normaliseName('ACME SUPPLIES, LIMITED')).toBe('acme supplies');
    expect(matchVendor('acme supplies limited', null, partners)).toMatchObject({ partnerId: 1, method: 'exact' });
    expect(matchVendor('Globex', undefined, partners)).toMatchObject({ partnerId: 2, method: 'exact' });
  });
  it('matches a misread name fuzzily with its score, and not an unrelated one', () => {
    const m = matchVendor('Acme Supplis', null, partners)!;
    expect(m).toMatchObject({ partnerId: 1, method: 'fuzzy' });
    expect(m.score).toBeGreaterThan(0.8);
    expect(m.score).toBeLessThan(1);
    expect(matchVendor('Umbrella Corporation', null, partners)).toBeUndefined();
    expect(similarity('initech', 'initrode')).toBeLessThan(0.8);
  });
});
