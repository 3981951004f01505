import { extractFields } from './extract-fields';
import type { OcrWord, PageWords } from './layout';

/**
 * A page from text lines: one character = 10 px, a row = 30 px; a run of 3+
 * spaces is a wide gap (a new column). "# " at the start of a line makes it
 * twice as tall (a heading). `conf` overrides the confidence of given words.
 */
function page(lines: string[], opts: { conf?: Record<string, number>; source?: 'ocr' | 'text'; pageNo?: number } = {}): PageWords {
  const words: OcrWord[] = [];
  let y = 20;
  for (const raw of lines) {
    const big = raw.startsWith('# ');
    const line = big ? raw.slice(2) : raw;
    const cw = big ? 20 : 10;
    const h = big ? 40 : 20;
    for (const m of line.matchAll(/\S+/g)) {
      words.push({ text: m[0], conf: opts.conf?.[m[0]] ?? 0.95, box: { page: opts.pageNo ?? 1, x: 40 + m.index! * cw, y, w: m[0].length * cw, h } });
    }
    y += big ? 60 : 30;
  }
  return { page: opts.pageNo ?? 1, width: 1200, height: Math.max(1600, y + 40), source: opts.source ?? 'ocr', words };
}

const values = (r: ReturnType<typeof extractFields>) => Object.fromEntries(Object.entries(r.fields).map(([k, f]) => [k, f.value]));

describe('extractFields', () => {
  test('a classic invoice: header block, bill-to, table, totals', () => {
    const r = extractFields([
      page([
        '# Ashford Freight Ltd                         INVOICE',
        '137 Mill Lane',
        'Leeds LS1 4AP                        Invoice No:    BL-02105',
        'Tel +44 113 733 2417                 Invoice Date:  16 Feb 2024',
        'VAT No. GB 935 3877 48               Due Date:      17 Mar 2024',
        '',
        'BILL TO',
        'Acme Analytics Inc.',
        '400 Market Street, Suite 210',
        '',
        'Description                    Qty     Unit Price      Amount',
        'Website hosting                  1          66.94       66.94',
        'Whiteboard markers (box)         2          10.78       21.56',
        'Software licence (annual)        4         713.00    2,852.00',
        '',
        '                                     Subtotal         2,940.50',
        '                                     VAT 20%            588.10',
        '                                     Total           £3,528.60',
        'Bank transfer: Sort code 20-24-17, Account 4241793.',
      ]),
    ]);
    expect(values(r)).toEqual({
      vendor: 'Ashford Freight Ltd',
      vendor_vat: 'GB935387748',
      invoice_number: 'BL-02105',
      invoice_date: '2024-02-16',
      due_date: '2024-03-17',
      currency: 'GBP',
      subtotal: '2940.50',
      tax: '588.10',
      total: '3528.60',
    });
    expect(r.lines.map((l) => [l.description, l.quantity, l.unit_price, l.amount])).toEqual([
      ['Website hosting', '1', '66.94', '66.94'],
      ['Whiteboard markers (box)', '2', '10.78', '21.56'],
      ['Software licence (annual)', '4', '713.00', '2852.00'],
    ]);
    // consistent totals are trusted more than the OCR confidence alone
    expect(r.fields.total.confidence).toBeGreaterThan(0.9);
    expect(r.fields.total.box).toEqual({ page: 1, x: 40 + 53 * 10, y: 20 + 60 + 30 * 16, w: 90, h: 20 });
    expect(r.fields.total.source).toBe('ocr');
    expect(r.text.split('\n')[0]).toBe('Ashford Freight Ltd  INVOICE');
  });

  test('a thermal receipt: cash and change are not the total, items have no header', () => {
    const r = extractFields([
      page([
        '      WESTGATE PHARMACY',
        '       53 Harbour Road',
        '  VAT Reg TIN: 918-282-757-571',
        '--------------------------------',
        'Receipt #: 816957',
        'Date: 25/02/2024 16:42',
        '--------------------------------',
        '1 x AA batteries 4pk      337.54',
        '3 x Croissant             434.79',
        '--------------------------------',
        'SUBTOTAL                  772.33',
        'VAT 12%                    92.68',
        'AMOUNT DUE               P865.01',
        'CASH                   1,000.00',
        'CHANGE                   134.99',
      ]),
    ]);
    expect(values(r)).toMatchObject({
      vendor: 'WESTGATE PHARMACY',
      vendor_vat: '918282757571',
      invoice_number: '816957',
      invoice_date: '2024-02-25',
      due_date: null,
      currency: 'PHP',
      subtotal: '772.33',
      tax: '92.68',
      total: '865.01',
    });
    expect(r.lines.map((l) => [l.description, l.quantity, l.amount])).toEqual([
      ['AA batteries 4pk', '1', '337.54'],
      ['Croissant', '3', '434.79'],
    ]);
    expect(r.fields.due_date).toEqual({ value: null, confidence: 0, source: 'ocr' });
  });

  test('a European bill: 1.234,56 amounts, dotted dates, labels above values', () => {
    const r = extractFields([
      page([
        '                                         # Oakwood Marketing AG',
        'Oakwood Marketing AG - 37 Harbour Road - 1012 AB Amsterdam',
        'Delta Holdings B.V.                 Invoice number     2024/3620',
        'Keizersgracht 221                   Invoice date       26.01.2024',
        '1016 DV Amsterdam                   Due date           11.03.2024',
        'Pos.  Description              Qty     Unit price       Amount',
        '1     Catering for meeting      10         205,11     2.051,10',
        '2     Courier delivery          12          27,95       335,40',
        '                              Net amount             2.386,50',
        '                              VAT 19%                  453,44',
        '                              Total EUR              2.839,94',
        'VAT Reg. No. DE738882700 - IBAN DE49 3062 0044 0532 0130 00',
      ]),
    ]);
    expect(values(r)).toEqual({
      vendor: 'Oakwood Marketing AG',
      vendor_vat: 'DE738882700',
      invoice_number: '2024/3620',
      invoice_date: '2024-01-26',
      due_date: '2024-03-11',
      currency: 'EUR',
      subtotal: '2386.50',
      tax: '453.44',
      total: '2839.94',
    });
    expect(r.lines.map((l) => l.amount)).toEqual(['2051.10', '335.40']);
  });

  test('column headers over their values; the customer block is not the vendor', () => {
    const r = extractFields([
      page([
        'Invoice',
        'BILLED TO                 INVOICE #     ISSUE DATE    DUE DATE',
        'Workbench Finance Ltd     A-54522       2024-06-26    2024-07-10',
        '12 Canal Street',
        '',
        '',
        '# Bayview Print Works PLC',
        'Item                        Qty    Rate      Line total',
        'Monthly cleaning service     12   556.11      6,673.32',
        'Subtotal                                      6,673.32',
        'Tax (7%)                                        467.13',
        'Amount due                               USD 7,140.45',
      ]),
    ]);
    expect(values(r)).toMatchObject({ vendor: 'Bayview Print Works PLC', invoice_number: 'A-54522', invoice_date: '2024-06-26', due_date: '2024-07-10', currency: 'USD', total: '7140.45' });
  });

  test('slashed dates follow the currency when ambiguous', () => {
    const usd = extractFields([page(['Acme Corp.', 'Invoice Date: 03/04/2025', 'Total   $10.00'])]);
    expect(usd.fields.invoice_date.value).toBe('2025-03-04');
    const gbp = extractFields([page(['Acme Ltd', 'Invoice Date: 03/04/2025', 'Total   £10.00'])]);
    expect(gbp.fields.invoice_date.value).toBe('2025-04-03');
    expect(gbp.fields.invoice_date.confidence).toBeLessThan(usd.fields.invoice_date.confidence + 0.0001);
  });

  test('a total that contradicts subtotal and tax lowers all three', () => {
    const ok = extractFields([page(['Acme Ltd', 'Subtotal   100.00', 'VAT 20%   20.00', 'Total   £120.00'])]);
    const bad = extractFields([page(['Acme Ltd', 'Subtotal   100.00', 'VAT 20%   20.00', 'Total   £128.00'])]);
    expect(bad.fields.total.value).toBe('128.00');
    for (const f of ['subtotal', 'tax', 'total'] as const) expect(bad.fields[f].confidence).toBeLessThan(ok.fields[f].confidence * 0.7);
  });

  test('low OCR confidence of the words lowers the field', () => {
    const sure = extractFields([page(['Acme Ltd', 'Invoice No: 12345'])]);
    const unsure = extractFields([page(['Acme Ltd', 'Invoice No: 12345'], { conf: { '12345': 0.4 } })]);
    expect(unsure.fields.invoice_number.value).toBe('12345');
    expect(unsure.fields.invoice_number.confidence).toBeLessThan(sure.fields.invoice_number.confidence / 2);
  });

  test('nothing readable: every field null with confidence 0', () => {
    const r = extractFields([page([])]);
    for (const f of Object.values(r.fields)) expect(f).toEqual({ value: null, confidence: 0, source: 'ocr' });
    expect(r.lines).toEqual([]);
    expect(r.text).toBe('');
  });

  test('a text layer marks its fields as text; words on page 2 keep their page', () => {
    const r = extractFields([
      page(['# Acme Supplies Ltd', 'Invoice No: 77-1'], { source: 'text' }),
      page(['Subtotal   10.00', 'VAT   2.00', 'Grand total   12.00 GBP'], { source: 'text', pageNo: 2 }),
    ]);
    expect(r.fields.vendor).toMatchObject({ value: 'Acme Supplies Ltd', source: 'text', confidence: expect.any(Number) });
    expect(r.fields.total).toMatchObject({ value: '12.00', source: 'text' });
    expect(r.fields.total.box?.page).toBe(2);
    expect(r.fields.currency.value).toBe('GBP');
  });

  test('lines that do not add up: the one whose amount was its unit price is repaired', () => {
    const r = extractFields([
      page([
        'Acme Ltd',
        'Description            Qty    Unit Price      Amount',
        'Training workshop        ?     26,793.83   1O7,l75:32',
        'Laptop stand             3      2,370.62     7,111.86',
        'Subtotal                                   114,287.18',
        'VAT 12%                                     13,714.46',
        'Total                                     128,001.64',
      ]),
    ]);
    expect(r.lines.map((l) => [l.quantity, l.unit_price, l.amount])).toEqual([
      ['4', '26793.83', '107175.32'],
      ['3', '2370.62', '7111.86'],
    ]);
  });

  test('receipt lines with "qty @ price" and a tax-free total', () => {
    const r = extractFields([
      page(['Corner Deli', 'Receipt no. 0012-3341        2025-01-15', 'Bagel          2 @ 1.50         3.00', 'Green tea      1 @ 2.20         2.20', 'Total                     EUR 5.20']),
    ]);
    expect(values(r)).toMatchObject({ vendor: 'Corner Deli', invoice_number: '0012-3341', invoice_date: '2025-01-15', total: '5.20', currency: 'EUR', tax: null });
    expect(r.lines.map((l) => [l.description, l.quantity, l.unit_price, l.amount])).toEqual([
      ['Bagel', '2', '1.50', '3.00'],
      ['Green tea', '1', '2.20', '2.20'],
    ]);
  });

  test('an item whose amount is unreadable is kept, and what the others leave of the subtotal fills it', () => {
    const r = extractFields([
      page([
        'Acme Ltd',
        'Description            Qty    Unit Price      Amount',
        'Training workshop        4        250.00       1,000.00',
        'Laptop stand             3                       ~#e8',
        'Subtotal                                     1,060.00',
        'VAT 20%                                        Z1Z.OO?',
        'Total                                        1,272.00',
      ]),
    ]);
    expect(r.lines.map((l) => [l.description, l.quantity, l.unit_price, l.amount])).toEqual([
      ['Training workshop', '4', '250.00', '1000.00'],
      ['Laptop stand', '3', '20.00', '60.00'],
    ]);
    expect(r.lines[1]!.confidence).toBeLessThanOrEqual(0.4);
    // the tax row is there but unreadable: total - subtotal, with less confidence, boxed where it is printed
    expect(r.fields.tax).toMatchObject({ value: '212.00', confidence: 0.5 });
    expect(r.fields.tax.box).toBeDefined();
  });

  test('a vendor name that wraps onto a second line of the same type', () => {
    const r = extractFields([
      page(['# Cedar Design Studio Trading                      INVOICE', '# Co.', '175 Market Road', 'Leeds LS1 4AP', 'Invoice No: A-1', 'Total   £1.00']),
    ]);
    expect(r.fields.vendor.value).toBe('Cedar Design Studio Trading Co.');
  });
});
