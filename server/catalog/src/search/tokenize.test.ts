import { fold, words } from './tokenize';
import { parseQuery } from './query';
import { referenceKeys } from './doc-fields';

describe('words', () => {
  test.each([
    ['account_move_line', ['account', 'move', 'line']],
    ['odoo.public.account_move_line.debit', ['odoo', 'public', 'account', 'move', 'line', 'debit']],
    ['close/2026-11.ipynb', ['close', '2026', '11', 'ipynb']],
    ['AccountMoveLine', ['account', 'move', 'line']],
    ['HTMLParser', ['html', 'parser']],
    ['address2', ['address', '2']],
    ['pii:email', ['pii', 'email']],
    ['  General   Ledger ', ['general', 'ledger']],
    ['Écriture comptable', ['ecriture', 'comptable']],
    ['écritureComptable', ['ecriture', 'comptable']],
    ['ÉCRITURES', ['ecritures']],
    ['Straße', ['strasse']],
    ['ﬁnance_２０２６', ['finance', '2026']],
    ['', []],
    ['--', []],
  ])('%s', (text, expected) => {
    expect(words(text)).toEqual(expected);
  });
});

describe('fold', () => {
  test('NFKC, lowercase, accents folded', () => {
    expect(fold('Écriture')).toBe('ecriture');
    expect(fold('ＡＢＣ')).toBe('abc');
    expect(fold('Ørsted Æble')).toBe('orsted aeble');
    expect(fold('İstanbul')).toBe('istanbul');
    expect(fold('plain_ascii.Name')).toBe('plain_ascii.name');
  });
});

describe('parseQuery', () => {
  test('terms, their words, trimming and dedup', () => {
    expect(parseQuery('')).toBeUndefined();
    expect(parseQuery(' \t ')).toBeUndefined();
    expect(parseQuery('?? !!')).toBeUndefined();
    const q = parseQuery('Journal, account_move.debit journal,')!;
    expect(q.terms.map((t) => [t.forms, t.words])).toEqual([
      [['journal,', 'journal'], ['journal']],
      [['account_move.debit'], ['account', 'move', 'debit']],
    ]);
    expect(q.phrase).toBe('journal account_move.debit');
    const many = parseQuery(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '))!;
    expect(many.terms).toHaveLength(16);
    expect(parseQuery('x'.repeat(10_000))!.terms[0]!.core).toHaveLength(500);
  });
});

describe('referenceKeys', () => {
  test('dot-suffixes of the name an id encodes', () => {
    expect(referenceKeys('table:odoo:public.account_move_line')).toEqual([
      'table:odoo:public.account_move_line',
      'odoo.public.account_move_line',
      'public.account_move_line',
      'account_move_line',
    ]);
    expect(referenceKeys('t:["odoo","public","Sale_Order"]')).toEqual(['t:["odoo","public","sale_order"]', 'odoo.public.sale_order', 'public.sale_order', 'sale_order']);
    expect(referenceKeys('t:[not json')).toEqual(['t:[not json', '[not json']);
  });
});
