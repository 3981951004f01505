import { eventText, formatAmount, formatBytes, formatConfidence, formatRelative, isLowConfidence, matchText, reasonSummary, savedText, statusLabel, vendorChooser } from './format';
import { EVENTS } from './testing/fixtures';

describe('amounts and confidences', () => {
  it('formats canonical amounts with grouping and 2 to 4 decimals, anything else as it is', () => {
    expect(formatAmount('1197.9', 'EUR', 'en')).toBe('1,197.90 EUR');
    expect(formatAmount('12.3456', null, 'en')).toBe('12.3456');
    expect(formatAmount('1197.90', 'EUR', 'de')).toBe('1.197,90 EUR');
    expect(formatAmount('1,2?7.90', 'EUR', 'en')).toBe('1,2?7.90 EUR');
    expect(formatAmount(null, 'EUR')).toBe('—');
  });

  it('rounds confidences down, so a field just under the threshold never reads as it', () => {
    expect(formatConfidence(0.8499)).toBe('84%');
    expect(formatConfidence(1)).toBe('100%');
    expect(formatConfidence(null)).toBe('—');
    expect(isLowConfidence(0.8499)).toBe(true);
    expect(isLowConfidence(0.85)).toBe(false);
    expect(isLowConfidence(null)).toBe(false);
  });

  it('says how the vendor was matched', () => {
    expect(matchText({ partnerId: 12, name: 'Delta Telecom GmbH', method: 'vat', score: 1 })).toBe('Matched by VAT number (100%)');
    expect(matchText({ partnerId: 3, name: 'Orion Supplies PLC', method: 'fuzzy', score: 0.874 })).toBe('Matched by similar name (87%)');
    expect(matchText({ partnerId: 3, name: 'Orion Supplies PLC', method: 'chosen', score: 1 }, 'alice')).toBe('Chosen by alice');
    expect(matchText({ partnerId: 3, name: 'Orion Supplies PLC', method: 'chosen', score: 1 })).toBe('Chosen by a reviewer');
  });

  it('finds who last chose the vendor in the history', () => {
    const at = '2026-12-07T14:05:00Z';
    const corrected = (seq: number, actor: string, fields: string[]) => ({ seq, at, actor, action: 'corrected', detail: { fields: fields.map((field) => ({ field, before: null, after: '1' })) } });
    expect(vendorChooser(EVENTS)).toBeNull();
    expect(vendorChooser([...EVENTS, corrected(4, 'alice', ['partner', 'total']), corrected(5, 'bob', ['total'])])).toBe('alice');
    expect(vendorChooser([...EVENTS, corrected(4, 'alice', ['partner']), corrected(5, 'bob', ['partner'])])).toBe('bob');
  });

  it('formats sizes and ages', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(61_234)).toBe('60 KB');
    expect(formatBytes(3_500_000)).toBe('3.3 MB');
    const now = Date.parse('2026-12-07T14:00:00Z');
    expect(formatRelative('2026-12-07T13:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-12-07T13:45:00Z', now)).toBe('15 min ago');
    expect(formatRelative('2026-12-05T14:00:00Z', now)).toBe('2 days ago');
  });
});

describe('why it waits', () => {
  it('is the first reason and how many more', () => {
    expect(reasonSummary(['Total read with 44% confidence (below 85%)', 'a', 'b'])).toEqual({ first: 'Total read with 44% confidence (below 85%)', more: 2, text: 'Total read with 44% confidence (below 85%) (+2 more)' });
    expect(reasonSummary(['only one']).text).toBe('only one');
    expect(reasonSummary([]).text).toBe('');
  });

  it('says what a correction saved and whether it still waits', () => {
    expect(savedText({ fields: { total: '1197.90', due_date: null }, version: 3 }, { reviewReasons: [] })).toBe('Saved: Total, Due date. Nothing left to check.');
    expect(savedText({ partner_id: 57, version: 3 }, { reviewReasons: ['Vendor read with 81% confidence (below 85%)', 'b'] }, { id: 57, name: 'Delta Office Supplies' })).toBe(
      'Saved: Odoo vendor “Delta Office Supplies” (partner 57). It still waits: Vendor read with 81% confidence (below 85%) (+1 more).',
    );
    expect(savedText({ partner_id: 57, fields: { total: '1197.90' }, lines: [], version: 3 }, { reviewReasons: [] })).toBe('Saved: Odoo vendor partner 57, Total, Line items. Nothing left to check.');
  });

  it('labels statuses in words', () => {
    expect(statusLabel('needs_review')).toBe('Needs review');
    expect(statusLabel('extracting')).toBe('Reading');
  });
});

describe('eventText', () => {
  it('tells the history in words: who did what, from the file to the Odoo record', () => {
    expect(EVENTS.map(eventText)).toEqual(['Received delta-telecom-nov.png (upload)', 'Reading started', 'Read by tesseract 5.3.0 in 2.1 s, confidence 44%: waits for review (3 reasons)']);
    const at = '2026-12-07T14:05:00Z';
    expect(eventText({ seq: 4, at, actor: 'alice', action: 'corrected', detail: { fields: [{ field: 'total', before: '1297.90', after: '1197.90' }, { field: 'due_date', before: '2026-12-23', after: null }, { field: 'lines', before: '[]', after: '[]' }] } })).toBe(
      'Corrected Total: “1297.90” → “1197.90”; Due date: “2026-12-23” → empty; Line items',
    );
    expect(eventText({ seq: 4, at, actor: 'alice', action: 'corrected', detail: { fields: [{ field: 'partner', before: null, after: '57' }] } })).toBe('Corrected Odoo vendor: none → partner 57');
    expect(eventText({ seq: 5, at, actor: 'bob', action: 'approved', detail: {} })).toBe('Approved for posting');
    expect(eventText({ seq: 6, at, actor: 'system', action: 'posting', detail: { key: 'wb-x', attempt: 1 } })).toBe('Posting to Odoo (attempt 1)');
    expect(eventText({ seq: 7, at, actor: 'system', action: 'posted', detail: { key: 'wb-x', model: 'account.move', id: 2431, name: false, adopted: false } })).toBe('Posted to Odoo as account.move 2431');
    expect(eventText({ seq: 8, at, actor: 'system', action: 'post_failed', detail: { attempt: 2, error: 'Odoo is down' } })).toBe('Posting failed (attempt 2): Odoo is down');
    expect(eventText({ seq: 9, at, actor: 'bob', action: 'rejected', detail: { reason: 'Not our bill' } })).toBe('Rejected: Not our bill');
    expect(eventText({ seq: 10, at, actor: 'bob', action: 'replayed', detail: { from: 'failed' } })).toBe('Replayed (was failed)');
    expect(eventText({ seq: 11, at, actor: 'x', action: 'something_new', detail: {} })).toBe('Something new');
  });
});
