import { fold, highlight, matchRanges, queryWords } from './highlight';

const marked = (text: string, needles: string[]) =>
  highlight(text, needles)
    .map((s) => (s.match ? `[${s.text}]` : s.text))
    .join('');

describe('highlight', () => {
  it('marks the matched word where a word starts, case-insensitively', () => {
    expect(marked('account_journal', ['journal'])).toBe('account_[journal]');
    expect(marked('odoo.public.account_journal', ['JOURNAL'])).toBe('odoo.public.account_[journal]');
    expect(marked('journal_id', ['journal'])).toBe('[journal]_id');
    expect(marked('JournalEntry', ['entry'])).toBe('Journal[Entry]');
    // Not inside a word.
    expect(marked('adjournal', ['journal'])).toBe('adjournal');
    expect(marked('banana', ['a'])).toBe('banana');
  });

  it('folds accents and ß both ways, and keeps the original characters', () => {
    expect(marked('Écritures "2026"', ['ecritures'])).toBe('[Écritures] "2026"');
    expect(marked('Straße', ['strasse'])).toBe('[Straße]');
    // A decomposed é (e + combining acute) is one character of the original.
    expect(marked('E\u0301critures', ['ecri'])).toBe('[E\u0301cri]tures');
    expect(fold('Ĳssel')).toBe('ijssel');
  });

  it('merges overlapping matches and marks every occurrence', () => {
    expect(matchRanges('move_line.move', ['move', 'move_line'])).toEqual([[0, 9], [10, 14]]);
    expect(marked('account_move_line', ['account_move_line'])).toBe('[account_move_line]');
  });

  it('leaves the text whole when nothing matches', () => {
    expect(highlight('res_partner', ['journal'])).toEqual([{ text: 'res_partner', match: false }]);
    expect(highlight('', ['x'])).toEqual([{ text: '', match: false }]);
    expect(highlight('abc', [''])).toEqual([{ text: 'abc', match: false }]);
  });

  it('takes the query words of two characters or more', () => {
    expect(queryWords('Journal  a ITEMS-2026')).toEqual(['journal', 'items', '2026']);
  });
});
