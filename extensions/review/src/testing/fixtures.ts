/** Data shared by the tests (not built: see tsconfig.json), shaped as the server answers: a bill whose smudged total tesseract misread. */
import type { DocumentEvent, DocumentSummary, DocumentView, ExtractedField, FieldName, Partner } from '../types';

const f = (value: string | null, confidence: number, box?: [number, number, number, number]): ExtractedField => ({ value, confidence, ...(box && { box: { page: 1, x: box[0], y: box[1], w: box[2], h: box[3] } }), source: 'ocr' });

export const FIELDS: Record<FieldName, ExtractedField> = {
  vendor: f('Delta Telecom GmbH', 0.815, [117, 102, 598, 41]),
  vendor_vat: f('EU138620099', 0.833, [232, 213, 193, 21]),
  invoice_number: f('DT-2026-0417', 0.816, [1118, 316, 208, 23]),
  invoice_date: f('2026-11-23', 0.87, [1148, 368, 170, 23]),
  due_date: f('2026-12-23', 0.867, [1101, 418, 170, 23]),
  currency: f('EUR', 0.869, [796, 905, 73, 26]),
  subtotal: f('990.00', 0.542, [1225, 796, 101, 23]),
  tax: f('207.90', 0.521, [1225, 850, 101, 23]),
  total: f('1297.90', 0.448, [1173, 902, 155, 32]),
};

const REASONS = [
  'Vendor read with 81% confidence (below 85%)',
  'Total read with 44% confidence (below 85%)',
  'Subtotal 990.00 + tax 207.90 = 1197.90, not the total 1297.90',
];

export const SUMMARY: DocumentSummary = {
  id: '6f1c2e0a-5b7d-4c39-9a51-3d2f8e4b7c10',
  filename: 'delta-telecom-nov.png',
  mediaType: 'image/png',
  status: 'needs_review',
  source: 'upload',
  uploadedBy: 'alice',
  receivedAt: '2026-12-07T14:00:00.000Z',
  vendor: 'Delta Telecom GmbH',
  invoiceNumber: 'DT-2026-0417',
  invoiceDate: '2026-11-23',
  currency: 'EUR',
  total: '1297.90',
  confidence: 0.448,
  reviewReasons: REASONS,
  error: null,
  odoo: null,
};

export const DOC: DocumentView = {
  ...SUMMARY,
  sha256: 'a'.repeat(64),
  sizeBytes: 61_234,
  pages: 1,
  engine: 'tesseract 5.3.0',
  extractedMs: 2140,
  pageSizes: [{ page: 1, width: 1440, height: 1048 }],
  fields: FIELDS,
  lines: [
    { description: 'Fibre line 1 Gbit/s, November', quantity: '1', unit_price: '890.00', amount: '890.00', confidence: 0.962, box: { page: 1, x: 123, y: 577, w: 1195, h: 27 } },
    { description: 'Static IP addresses', quantity: '4', unit_price: '12.50', amount: '50.00', confidence: 0.964, box: { page: 1, x: 122, y: 639, w: 1196, h: 24 } },
    { description: 'Router rental', quantity: '2', unit_price: '25.00', amount: '50.00', confidence: 0.966, box: { page: 1, x: 123, y: 701, w: 1195, h: 24 } },
  ],
  issues: [{ rule: 'totals', field: 'total', severity: 'error', message: 'Subtotal 990.00 + tax 207.90 = 1197.90, not the total 1297.90' }],
  vendorMatch: { partnerId: 12, name: 'Delta Telecom GmbH', method: 'vat', score: 1 },
  duplicates: [],
  correctedBy: [],
  decidedBy: null,
  decidedAt: null,
  rejectReason: null,
  posting: null,
  version: 3,
  // At or over 100 EUR alice, who uploaded it, may not approve it.
  fourEyes: { limit: '100', applies: true, excluded: ['alice'] },
};

export const EVENTS: DocumentEvent[] = [
  { seq: 1, at: '2026-12-07T14:00:00.000Z', actor: 'alice', action: 'received', detail: { sha256: 'a'.repeat(64), filename: 'delta-telecom-nov.png', mediaType: 'image/png', bytes: 61234, pages: 1, source: 'upload' } },
  { seq: 2, at: '2026-12-07T14:00:00.100Z', actor: 'system', action: 'extracting', detail: {} },
  { seq: 3, at: '2026-12-07T14:00:02.300Z', actor: 'system', action: 'extracted', detail: { engine: 'tesseract 5.3.0', ms: 2140, confidence: 0.448, reasons: REASONS, auto: false } },
];

/** The same document once bob approved it and it was posted. */
export const POSTED: DocumentView = {
  ...DOC,
  status: 'posted',
  total: '1197.90',
  fields: { ...FIELDS, total: { value: '1197.90', confidence: 1, box: FIELDS.total.box!, source: 'user' } },
  issues: [],
  reviewReasons: [],
  correctedBy: ['alice'],
  fourEyes: { limit: '100', applies: true, excluded: ['alice'] },
  decidedBy: 'bob',
  decidedAt: '2026-12-07T14:05:00.000Z',
  odoo: { model: 'account.move', id: 2431 },
  posting: { key: `wb-${SUMMARY.id}`, attempts: 1, error: null, postedAt: '2026-12-07T14:05:01.000Z' },
  version: 8,
};

/** Odoo partners as `GET api/documents/partners?q=delta` answers them. */
export const PARTNERS: Partner[] = [
  { id: 12, name: 'Delta Telecom GmbH', vat: 'EU138620099' },
  { id: 57, name: 'Delta Office Supplies', vat: null },
];
