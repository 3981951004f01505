import { moveActive, PartnerSearch, partnerLabel, partnerQuery, searchStatus, type SearchState } from './partner-search';
import { ReviewError } from './review-api';
import { PARTNERS } from './testing/fixtures';
import type { Partner } from './types';

/** A search whose requests wait until the test answers them. */
function searchWith() {
  const calls: { q: string; signal: AbortSignal; answer: (p: Partner[]) => void; fail: (e: unknown) => void }[] = [];
  const states: SearchState[] = [];
  const search = new PartnerSearch({
    delayMs: 250,
    search: (q, signal) => new Promise<Partner[]>((answer, fail) => calls.push({ q, signal, answer, fail })),
    onState: (s) => states.push(s),
  });
  return { search, calls, states, kinds: () => states.map((s) => s.kind) };
}

describe('the partner search', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('needs 2 characters (trimmed) and at most 100', () => {
    expect(partnerQuery(' d ')).toBeNull();
    expect(partnerQuery(' de ')).toBe('de');
    expect(partnerQuery('x'.repeat(120))).toHaveLength(100);
  });

  it('searches once typing pauses, only the last text', async () => {
    const { search, calls, states } = searchWith();
    search.input('d');
    expect(states.at(-1)).toEqual({ kind: 'short', query: 'd' });
    search.input('de');
    await jest.advanceTimersByTimeAsync(200);
    search.input('del');
    await jest.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(0);
    expect(states.at(-1)).toEqual({ kind: 'searching', query: 'del' });
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.q)).toEqual(['del']);
    calls[0]!.answer(PARTNERS);
    await jest.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'results', query: 'del', partners: PARTNERS });
    // The same query again (a space added) does not search again.
    search.input('del ');
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts a search overtaken by typing; its late answer changes nothing', async () => {
    const { search, calls, states } = searchWith();
    search.input('delta');
    await jest.advanceTimersByTimeAsync(250);
    search.input('delta t');
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.answer([PARTNERS[1]!]);
    await jest.advanceTimersByTimeAsync(250);
    calls[1]!.answer([PARTNERS[0]!]);
    await jest.advanceTimersByTimeAsync(0);
    expect(states.filter((s) => s.kind === 'results')).toEqual([{ kind: 'results', query: 'delta t', partners: [PARTNERS[0]] }]);
  });

  it("shows the server's refusal in its words, and searches again after one", async () => {
    const { search, calls, states } = searchWith();
    search.input('zz');
    await jest.advanceTimersByTimeAsync(250);
    calls[0]!.fail(new ReviewError('unavailable', 'Cannot search Odoo partners: no Odoo connection is configured (documents.odoo_connection)', 503));
    await jest.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'error', query: 'zz', message: 'Cannot search Odoo partners: no Odoo connection is configured (documents.odoo_connection)' });
    search.input('zz');
    await jest.advanceTimersByTimeAsync(250);
    expect(calls).toHaveLength(2);
    calls[1]!.fail(new TypeError('Failed to fetch'));
    await jest.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toMatchObject({ kind: 'error', message: 'Cannot search Odoo partners: Failed to fetch' });
  });

  it('forgets everything on reset and leaves no timer or request behind on dispose', async () => {
    const { search, calls, kinds } = searchWith();
    search.input('delta');
    search.reset();
    expect(kinds()).toEqual(['searching', 'idle']);
    expect(jest.getTimerCount()).toBe(0);
    search.input('delta');
    await jest.advanceTimersByTimeAsync(250);
    search.input('orion');
    search.dispose();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('the picker in words and keys', () => {
  it('says what happens under the field', () => {
    expect(searchStatus({ kind: 'idle' })).toBe('Type at least 2 characters of the vendor’s name or VAT number.');
    expect(searchStatus({ kind: 'short', query: 'd' })).toBe('Type at least 2 characters.');
    expect(searchStatus({ kind: 'searching', query: 'de' })).toBe('Searching Odoo…');
    expect(searchStatus({ kind: 'results', query: 'de', partners: PARTNERS })).toBe('2 partners. ↑ ↓ to move, Enter to choose.');
    expect(searchStatus({ kind: 'results', query: 'de', partners: [PARTNERS[0]!] })).toBe('1 partner. ↑ ↓ to move, Enter to choose.');
    expect(searchStatus({ kind: 'results', query: 'xq', partners: [] })).toBe('No Odoo partner’s name or VAT number contains “xq”.');
    const many = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `P${i}`, vat: null }));
    expect(searchStatus({ kind: 'results', query: 'p', partners: many })).toBe('The first 20 partners by name; type more to narrow them down. ↑ ↓ to move, Enter to choose.');
    expect(searchStatus({ kind: 'error', query: 'x', message: 'Cannot search Odoo partners: give 2 to 100 characters' })).toBe('Cannot search Odoo partners: give 2 to 100 characters');
  });

  it('moves through the options with the arrow keys, wrapping around', () => {
    expect(moveActive(-1, 3, 'ArrowDown')).toBe(0);
    expect(moveActive(0, 3, 'ArrowDown')).toBe(1);
    expect(moveActive(2, 3, 'ArrowDown')).toBe(0);
    expect(moveActive(-1, 3, 'ArrowUp')).toBe(2);
    expect(moveActive(0, 3, 'ArrowUp')).toBe(2);
    expect(moveActive(2, 3, 'ArrowUp')).toBe(1);
    expect(moveActive(1, 3, 'Home')).toBe(1);
    expect(moveActive(1, 0, 'ArrowDown')).toBe(-1);
  });

  it('reads an option out with its VAT number and partner id', () => {
    expect(PARTNERS.map(partnerLabel)).toEqual(['Delta Telecom GmbH, VAT EU138620099, Odoo partner 12', 'Delta Office Supplies, no VAT number, Odoo partner 57']);
  });
});
