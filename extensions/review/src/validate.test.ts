import type { DocumentSummary as ServerSummary, DocumentView as ServerView } from '@workbench/documents';
import { errorFromResponse, ReviewError, ruleOf } from './review-api';
import { DOC, EVENTS, PARTNERS, POSTED, SUMMARY } from './testing/fixtures';
import type { DocumentSummary, DocumentView } from './types';
import { readAbilities, readDetail, readDocument, readPartners, readReplay, readSummaries, readUpload } from './validate';

function invalid(fn: () => unknown): ReviewError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ReviewError);
    expect((err as ReviewError).kind).toBe('invalid_response');
    return err as ReviewError;
  }
  throw new Error('expected a ReviewError');
}

/** As JSON travels: undefined keys gone. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('reading the documents API', () => {
  it('reads what the server sends', () => {
    expect(readSummaries({ documents: wire([SUMMARY]) })).toEqual([SUMMARY]);
    expect(readDetail({ document: wire(DOC), events: wire(EVENTS) })).toEqual({ document: DOC, events: EVENTS });
    expect(readDocument({ document: wire(POSTED) })).toEqual(POSTED);
    expect(readUpload({ document: wire(DOC) })).toEqual({ document: DOC, duplicate: false });
    expect(readUpload({ document: wire(DOC), duplicate: true }).duplicate).toBe(true);
    expect(readReplay({ replayed: ['a'], skipped: [{ id: 'b', reason: 'already posted as account.move 7' }] })).toEqual({ replayed: ['a'], skipped: [{ id: 'b', reason: 'already posted as account.move 7' }] });
  });

  it('mirrors the server’s shapes (checked by tsc) and drops keys the screens do not use', () => {
    // The server's DocumentView is assignable to the client's: every key the client reads, with a type it accepts.
    const server: ServerView = { ...DOC, extracted: null } as ServerView;
    const mirrored: DocumentView = server;
    const summary: DocumentSummary = SUMMARY as ServerSummary;
    expect(readDocument({ document: wire(mirrored) })).toEqual(DOC);
    expect(readSummaries({ documents: [wire(summary)] })).toEqual([SUMMARY]);
  });

  it('reads a document not read yet: no fields, no pages, no extraction', () => {
    const received = { ...wire(DOC), status: 'received', fields: null, lines: [], pageSizes: [], engine: null, extractedMs: null, confidence: null, issues: [], reviewReasons: [], vendorMatch: null };
    expect(readDocument({ document: received })).toMatchObject({ status: 'received', fields: null, pageSizes: [], lines: [] });
  });

  it('reads a field the server left out as not read', () => {
    const { due_date: _d, ...fields } = wire(DOC.fields)!;
    expect(readDocument({ document: { ...wire(DOC), fields } }).fields!.due_date).toEqual({ value: null, confidence: 0, source: 'ocr' });
  });

  it('names what is wrong', () => {
    expect(invalid(() => readSummaries([])).message).toBe('Cannot read the documents: the server answered with unexpected JSON (the answer is not an object)');
    expect(invalid(() => readSummaries({ documents: [{ ...wire(SUMMARY), status: 'lost' }] })).message).toContain('documents[0].status is not one of received, extracting, needs_review');
    expect(invalid(() => readDocument({ document: { ...wire(DOC), fields: { ...wire(DOC.fields), total: { value: 5, confidence: 1, source: 'ocr' } } } })).message).toContain('document.fields.total.value is not a string or null');
    expect(invalid(() => readDocument({ document: { ...wire(DOC), lines: [{ ...wire(DOC.lines[0]), box: { page: 1, x: '1' } }] } })).message).toContain('document.lines[0].box.x is not a number');
    expect(invalid(() => readDetail({ document: wire(DOC), events: [{ ...wire(EVENTS[0]), at: 'yesterday' }] })).message).toContain('events[0].at is not an ISO 8601 time');
  });

  it('reads the four-eyes rule; a server that does not say reads as null', () => {
    expect(readDocument({ document: wire(DOC) }).fourEyes).toEqual({ limit: '100', applies: true, excluded: ['alice'] });
    const { fourEyes: _f, ...older } = wire(DOC);
    expect(readDocument({ document: older }).fourEyes).toBeNull();
    expect(readDocument({ document: { ...wire(DOC), fourEyes: null } }).fourEyes).toBeNull();
    expect(invalid(() => readDocument({ document: { ...wire(DOC), fourEyes: { limit: 100, applies: true, excluded: [] } } })).message).toContain('document.fourEyes.limit is not a string');
    expect(invalid(() => readDocument({ document: { ...wire(DOC), fourEyes: { limit: '100', applies: 'yes', excluded: [] } } })).message).toContain('document.fourEyes.applies is not true or false');
  });

  it('reads Odoo partners, a VAT number Odoo leaves empty (false, "") as null', () => {
    expect(readPartners({ partners: wire(PARTNERS) })).toEqual(PARTNERS);
    expect(readPartners({ partners: [{ id: 3, name: 'Orion', vat: false }, { id: 4, name: 'Vega', vat: '' }, { id: 5, name: 'Lyra' }] })).toEqual([
      { id: 3, name: 'Orion', vat: null },
      { id: 4, name: 'Vega', vat: null },
      { id: 5, name: 'Lyra', vat: null },
    ]);
    expect(invalid(() => readPartners({ partners: [{ id: '3', name: 'Orion', vat: null }] })).message).toBe('Cannot read the Odoo partners: the server answered with unexpected JSON (partners[0].id is not an integer)');
    expect(invalid(() => readPartners({})).message).toContain('partners is not an array');
  });

  it('reads what the user may do and who they are', () => {
    expect(readAbilities({ identity: { username: 'alice', name: 'Alice' }, permissions: { documents: ['read', 'write'] }, roles: ['analyst'] })).toEqual({ write: true, username: 'alice' });
    expect(readAbilities({ identity: { username: 'vera' }, permissions: { documents: [] } })).toEqual({ write: false, username: 'vera' });
  });
});

describe('errors', () => {
  it("keeps the server's message and the rule that refused", () => {
    const body = JSON.stringify({ rule: 'four_eyes', limit: '100', message: 'Cannot approve document x: four-eyes rule: 1197.90 EUR is at or over the limit of 100 EUR, and you uploaded it; another reviewer must approve it', reason: null, code: 'forbidden' });
    const err = errorFromResponse('approve the document', 403, body);
    expect(err).toMatchObject({ name: 'ReviewError', kind: 'forbidden', status: 403, rule: 'four_eyes' });
    expect(err.message).toMatch(/^Cannot approve document x: four-eyes rule: /);
    expect(ruleOf('{"message":"no"}')).toBeNull();
    expect(ruleOf('<html>')).toBeNull();
    expect(errorFromResponse('upload x.pdf', 415, '<html>')).toMatchObject({ kind: 'server', message: 'Cannot upload x.pdf: the server answered 415', rule: null });
  });
});
