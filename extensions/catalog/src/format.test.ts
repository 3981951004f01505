import {
  confidenceText,
  formatBytes,
  formatCount,
  formatRelativeTime,
  formatRows,
  isPiiTag,
  kindLabel,
  maskedNote,
  matchedLine,
  matchLabel,
  previewCell,
  previewSummary,
  refreshLabel,
  tableCount,
  tagTitle,
  unparsedNote,
  visibleTags,
} from './format';
import { hitTarget, parseKey, qualifiedName, tableKey } from './keys';
import { PREVIEW, SEARCH, SOURCES, TABLE } from './testing/fixtures';
import { MASK } from './types';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');

describe('numbers and times', () => {
  it('reads counts, rows and sizes', () => {
    expect([formatCount(1234), formatCount(null)]).toEqual(['1,234', '—']);
    expect([formatRows(1), formatRows(12000), formatRows(null)]).toEqual(['1 row', '12,000 rows', 'rows unknown']);
    expect([formatBytes(512), formatBytes(16384), formatBytes(1.5 * 1024 * 1024), formatBytes(3.2 * 1024 ** 3), formatBytes(null)]).toEqual(['512 B', '16 KB', '1.5 MB', '3.2 GB', 'size unknown']);
    expect(formatBytes(1024)).toBe('1 KB');
  });

  it('says how long ago', () => {
    const ago = (ms: number) => formatRelativeTime(new Date(NOW - ms).toISOString(), NOW, { locale: 'en-US', timeZone: 'UTC' });
    expect([ago(10_000), ago(5 * 60_000), ago(3 * 3600_000), ago(26 * 3600_000), ago(3 * 86400_000)]).toEqual(['just now', '5 min ago', '3 h ago', '1 day ago', '3 days ago']);
    expect(ago(40 * 86400_000)).toBe('Jan 29, 2026');
    expect(formatRelativeTime('soon', NOW)).toBe('soon');
  });

  it('words a source and its last refresh', () => {
    expect(tableCount(SOURCES[0]!)).toBe('5 tables');
    expect(tableCount({ tables: 1 })).toBe('1 table');
    expect(refreshLabel(SOURCES[0]!.last_refresh, NOW)).toBe('Refreshed 1 h ago');
    expect(refreshLabel(null, NOW)).toBe('Never refreshed');
    expect(refreshLabel({ ...SOURCES[0]!.last_refresh!, status: 'error' }, NOW)).toBe('Refresh failed 1 h ago');
    expect(refreshLabel({ ...SOURCES[0]!.last_refresh!, status: 'running', finished: null }, NOW)).toBe('Refreshing…');
  });
});

describe('search hits', () => {
  it('names kinds and match classes', () => {
    expect(kindLabel('glossary')).toBe('Glossary term');
    expect(matchLabel('fuzzy')).toBe('similar name');
    expect(matchLabel('tag', 'references')).toBe('uses the table');
  });

  it('says what matched when it was not the name', () => {
    const [table, described, column, notebook] = SEARCH.hits;
    expect(matchedLine(table!)).toBeNull();
    expect(matchedLine(column!)).toBeNull();
    expect(matchedLine(described!)).toEqual({ label: 'description', text: 'journal' });
    expect(matchedLine(notebook!)).toEqual({ label: 'uses', text: 'odoo.public.account_journal' });
    expect(matchedLine({ matched: { field: 'tags', text: 'pii:email' } })).toEqual({ label: 'tag', text: 'pii:email' });
  });

  it('knows what a hit opens', () => {
    expect(hitTarget(SEARCH.hits[0]!)).toEqual({ kind: 'table', table: { source: 'odoo', schema: 'public', name: 'account_journal' } });
    expect(hitTarget(SEARCH.hits[2]!)).toEqual({ kind: 'table', table: { source: 'odoo', schema: 'public', name: 'account_move' }, column: 'journal_id' });
    expect(hitTarget(SEARCH.hits[3]!)).toEqual({ kind: 'notebook', path: 'close/2026-11.ipynb' });
    expect(hitTarget(SEARCH.hits[4]!)).toEqual({ kind: 'glossary', term: 'General Ledger' });
    expect(hitTarget({ id: 't:not json', kind: 'table' })).toEqual({ kind: 'unknown' });
    expect(hitTarget({ id: 'x', kind: 'table' })).toEqual({ kind: 'unknown' });
  });

  it('keys tables as the server does, whatever their names hold', () => {
    const t = { source: 'odoo', schema: 'a.b', name: 'Écritures "2026"/x' };
    expect(tableKey(t)).toBe('["odoo","a.b","Écritures \\"2026\\"/x"]');
    expect(parseKey(tableKey(t))).toEqual(t);
    expect(parseKey('["a","b"]')).toBeUndefined();
    expect(qualifiedName(t, 'c')).toBe('odoo.a.b.Écritures "2026"/x.c');
  });
});

describe('tags', () => {
  it('recognises personal data and words suggestions', () => {
    expect([isPiiTag('pii:email'), isPiiTag('pii'), isPiiTag('piix'), isPiiTag('gold')]).toEqual([true, true, false, false]);
    const email = TABLE.columns[1]!.tags[0]!;
    expect(confidenceText(email.confidence)).toBe('97%');
    expect(confidenceText(null)).toBe('');
    expect(tagTitle(email)).toBe('Suggested (97% confidence) · 40 of 40 sampled values are e-mail addresses · by alice');
    expect(tagTitle(TABLE.tags[0]!)).toBe('Confirmed · decided by alice');
  });

  it('shows confirmed tags first, then suggested, never rejected', () => {
    const t = (tag: string, state: 'suggested' | 'confirmed' | 'rejected') => ({ tag, state, confidence: null, reason: null, by: null });
    expect(visibleTags([t('pii:phone', 'suggested'), t('pii:name', 'rejected'), t('gold', 'confirmed'), t('pii:email', 'suggested')]).map((x) => x.tag)).toEqual(['gold', 'pii:email', 'pii:phone']);
  });
});

describe('preview', () => {
  it('reads cells', () => {
    expect(previewCell(null, false)).toEqual({ text: 'null', kind: 'null', cut: false });
    expect(previewCell(MASK, true)).toEqual({ text: MASK, kind: 'masked', cut: false });
    expect(previewCell(null, true).kind).toBe('null');
    expect(previewCell(42.5, false)).toEqual({ text: '42.5', kind: 'number', cut: false });
    expect(previewCell(false, false).kind).toBe('boolean');
    expect(previewCell('x'.repeat(10) + '…', false).cut).toBe(true);
    expect(previewCell({ a: 1 }, false)).toEqual({ text: '{"a":1}', kind: 'json', cut: false });
    // A date column's midnight timestamps read as dates; other columns keep the time.
    expect(previewCell('2026-11-02T00:00:00.000Z', false, 'date').text).toBe('2026-11-02');
    expect(previewCell('2026-11-02T00:00:00.000Z', false, 'timestamp without time zone').text).toBe('2026-11-02T00:00:00.000Z');
    expect(previewCell('2026-11-02T10:00:00.000Z', false, 'date').text).toBe('2026-11-02T10:00:00.000Z');
  });

  it('writes the notes under the grid', () => {
    expect(maskedNote(PREVIEW)).toBe('1 column masked: personal data');
    expect(maskedNote({ columns: [{ name: 'a', type: 't', masked: true }, { name: 'b', type: 't', masked: true }] })).toBe('2 columns masked: personal data');
    expect(maskedNote({ columns: [] })).toBeNull();
    expect(previewSummary(PREVIEW)).toBe('2 rows · first rows · 12 ms');
    expect(previewSummary({ ...PREVIEW, mode: 'sample', truncated_cells: 1 })).toBe('2 rows · random sample · 1 long cell cut by the server · 12 ms');
    expect(unparsedNote(0)).toBeNull();
    expect(unparsedNote(3)).toBe('3 statements could not be parsed: their lineage is not shown');
  });
});
