import { SearchIndex, type SearchDoc, type SearchHit, type SearchOptions } from './index';

/** An Odoo-shaped catalog: five accounting tables with real column names, a notebook, a glossary term, a warehouse table. */
function table(name: string, description: string, extra: Partial<SearchDoc> = {}): SearchDoc {
  return { id: `table:odoo:public.${name}`, kind: 'table', name, qualified: `odoo.public.${name}`, description, source: 'odoo', ...extra };
}

function column(tableName: string, name: string, description?: string, extra: Partial<SearchDoc> = {}): SearchDoc {
  return {
    id: `column:odoo:public.${tableName}.${name}`,
    kind: 'column',
    name,
    qualified: `odoo.public.${tableName}.${name}`,
    description,
    parent: `table:odoo:public.${tableName}`,
    source: 'odoo',
    ...extra,
  };
}

function odooCatalog(): SearchDoc[] {
  return [
    table('account_move_line', 'Journal Item', { popularity: 120, tags: ['finance', 'gold'], terms: ['General Ledger'] }),
    table('account_move', 'Journal Entry', { popularity: 80, tags: ['finance'] }),
    table('account_account', 'Account', { popularity: 30, tags: ['finance'] }),
    table('account_journal', 'Journal', { popularity: 20, tags: ['finance'] }),
    table('res_partner', 'Contact', { popularity: 60, tags: ['pii'] }),
    column('account_move_line', 'id'),
    column('account_move_line', 'move_id', 'Journal Entry'),
    column('account_move_line', 'journal_id', 'Journal'),
    column('account_move_line', 'account_id', 'Account'),
    column('account_move_line', 'partner_id', 'Partner'),
    column('account_move_line', 'debit', 'Debit'),
    column('account_move_line', 'credit', 'Credit'),
    column('account_move_line', 'balance', 'Balance'),
    column('account_move_line', 'date', 'Date'),
    column('account_move', 'id'),
    column('account_move', 'name', 'Number'),
    column('account_move', 'date', 'Date'),
    column('account_move', 'journal_id', 'Journal'),
    column('account_move', 'partner_id', 'Partner'),
    column('account_move', 'state', 'Status'),
    column('account_account', 'code', 'Code'),
    column('account_account', 'name', 'Account Name'),
    column('account_journal', 'code', 'Short Code'),
    column('account_journal', 'name', 'Journal Name'),
    column('res_partner', 'name', 'Name'),
    column('res_partner', 'email', 'Email', { tags: ['pii:email'] }),
    column('res_partner', 'vat', 'Tax ID', { tags: ['pii'] }),
    column('res_partner', 'phone', 'Phone', { tags: ['pii:phone'] }),
    {
      id: 'notebook:close/2026-11.ipynb',
      kind: 'notebook',
      name: 'close/2026-11.ipynb',
      qualified: 'close/2026-11.ipynb',
      references: ['table:odoo:public.account_move_line', 'table:odoo:public.account_account'],
    },
    { id: 'glossary:General Ledger', kind: 'glossary', name: 'General Ledger', qualified: 'General Ledger', description: 'The book of all posted journal items, by account.' },
    {
      id: 'table:warehouse:finance.fct_gl_entries',
      kind: 'table',
      name: 'fct_gl_entries',
      qualified: 'warehouse.finance.fct_gl_entries',
      description: 'Écritures comptables du grand livre',
      source: 'warehouse',
      tags: ['gold'],
    },
  ];
}

function build(docs: SearchDoc[] = odooCatalog()): SearchIndex {
  const index = new SearchIndex();
  for (const doc of docs) index.upsert(doc);
  return index;
}

const ids = (hits: SearchHit[]): string[] => hits.map((h) => h.id);
const T = (name: string): string => `table:odoo:public.${name}`;
const C = (tableName: string, name: string): string => `column:odoo:public.${tableName}.${name}`;

describe('SearchIndex: finding Odoo tables', () => {
  const index = build();
  const search = (q: string, o?: SearchOptions): SearchHit[] => index.search(q, o);

  test('"journal" finds account_journal first, then the journal_id columns, then the tables described as journal entries/items', () => {
    const hits = search('journal');
    expect(hits[0]).toMatchObject({ id: T('account_journal'), match: 'word', matched: { field: 'name', text: 'journal' } });
    const at = (id: string): number => ids(hits).indexOf(id);
    expect(at(T('account_move'))).toBeGreaterThan(0);
    expect(at(T('account_move_line'))).toBeGreaterThan(0);
    expect(hits[at(T('account_move_line'))]).toMatchObject({ match: 'description', matched: { field: 'description', text: 'journal' } });
    // Word matches (name) before description matches, whatever the popularity.
    expect(at(C('account_move_line', 'journal_id'))).toBeLessThan(at(T('account_move_line')));
    // Equal descriptions "Journal Entry"/"Journal Item": popularity (120 vs 80) breaks the tie.
    expect(at(T('account_move_line'))).toBeLessThan(at(T('account_move')));
    // Scores never increase down the list.
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
  });

  test('exact name > name prefix > word of the name > description', () => {
    const small = build([
      table('account_move', 'Journal Entry'),
      table('account_move_line', 'Journal Item'),
      table('stock_account_move', 'Valuation moves'),
      table('mail_archive', 'Old account move rows, kept for audit'),
    ]);
    const hits = small.search('account_move');
    expect(hits.map((h) => [h.name, h.match])).toEqual([
      ['account_move', 'exact'],
      ['account_move_line', 'prefix'],
      ['stock_account_move', 'word'],
      ['mail_archive', 'description'],
    ]);
  });

  test('exact match is case-insensitive and accepts a qualified-name suffix', () => {
    expect(search('ACCOUNT_MOVE')[0]).toMatchObject({ id: T('account_move'), match: 'exact' });
    expect(search('public.account_move')[0]).toMatchObject({ id: T('account_move'), match: 'exact', matched: { field: 'qualified' } });
    expect(search('odoo.public.account_move')[0]).toMatchObject({ id: T('account_move'), match: 'exact' });
    expect(search('account_move.partner_id')[0]).toMatchObject({ id: C('account_move', 'partner_id'), match: 'exact' });
    // A prefix of a qualified suffix: the columns of account_move_line starting with "de".
    expect(search('account_move_line.de')[0]).toMatchObject({ id: C('account_move_line', 'debit'), match: 'prefix' });
  });

  test('prefixes while typing: shorter names (closer to the whole) first, tables before columns', () => {
    const hits = search('account_m');
    expect(ids(hits).slice(0, 2)).toEqual([T('account_move'), T('account_move_line')]);
    expect(hits[0]!.match).toBe('prefix');
    expect(search('res_p')[0]).toMatchObject({ id: T('res_partner'), match: 'prefix' });
  });

  test('tables rank above their columns at the same match class', () => {
    const hits = search('partner');
    expect(hits[0]).toMatchObject({ id: T('res_partner'), match: 'word' });
    const columns = hits.filter((h) => h.kind === 'column' && h.match === 'word');
    expect(columns.map((h) => h.name)).toEqual(['partner_id', 'partner_id']);
  });

  test('typos: one edit up to 7 letters, two from 8, none under 4', () => {
    expect(search('jornal')[0]).toMatchObject({ id: T('account_journal'), match: 'fuzzy', matched: { text: 'journal' } });
    expect(search('acount_move')[0]).toMatchObject({ id: T('account_move'), match: 'fuzzy' });
    expect(ids(search('acount_move'))).toContain(T('account_move_line'));
    expect(ids(search('blaance'))).toEqual([C('account_move_line', 'balance')]); // swapped letters
    expect(ids(search('parnter'))[0]).toBe(T('res_partner'));
    expect(ids(search('paartnerr'))[0]).toBe(T('res_partner')); // 9 letters, 2 edits
    expect(search('jorunl')).toEqual([]); // 6 letters, 2 edits: too many
    expect(search('vta')).toEqual([]); // under 4 letters: no typo tolerance
    expect(ids(search('vat'))).toEqual([C('res_partner', 'vat')]);
  });

  test('a typo never outranks a real match', () => {
    const hits = search('code');
    expect(hits.every((h, i) => h.match !== 'fuzzy' || hits.slice(i).every((x) => x.match === 'fuzzy'))).toBe(true);
    expect(hits[0]).toMatchObject({ name: 'code', match: 'exact' });
  });

  test('multi-word queries need every word, each in any field', () => {
    const item = search('journal item');
    // The glossary definition says "journal items": a word prefix, ranked below.
    expect(ids(item)).toEqual([T('account_move_line'), 'glossary:General Ledger']);
    expect(item[0]!.match).toBe('description');

    const partner = search('move line partner');
    expect(partner[0]).toMatchObject({ id: C('account_move_line', 'partner_id') });
    expect(ids(partner)).not.toContain(T('res_partner'));
    expect(ids(partner)).not.toContain(C('account_move', 'partner_id'));

    const ledger = search('general ledger');
    expect(ledger[0]).toMatchObject({ id: 'glossary:General Ledger', match: 'exact' });
    expect(ledger[1]).toMatchObject({ id: T('account_move_line'), match: 'tag', matched: { field: 'terms', text: 'General Ledger' } });

    expect(search('journal nothingmatchesthis')).toEqual([]);

    // Typing the last word: one letter already narrows the other terms' matches.
    expect(search('account m', { kinds: ['table'] }).map((h) => h.name)).toEqual(['account_move', 'account_move_line']);
  });

  test('a query naming a table exactly also returns the notebooks referencing it, below the table', () => {
    for (const q of ['account_move_line', 'public.account_move_line', 'odoo.public.account_move_line']) {
      const hits = search(q);
      expect(hits[0]!.id).toBe(T('account_move_line'));
      const nb = hits.find((h) => h.kind === 'notebook');
      expect(nb).toMatchObject({ match: 'tag', matched: { field: 'references', text: T('account_move_line') } });
    }
    expect(ids(search('account_move'))).not.toContain('notebook:close/2026-11.ipynb');
    expect(search('close')[0]).toMatchObject({ id: 'notebook:close/2026-11.ipynb', match: 'prefix' });
    expect(search('2026-11')[0]).toMatchObject({ id: 'notebook:close/2026-11.ipynb', match: 'word' });
  });

  test('references are matched by the table name they encode even when the table is not indexed', () => {
    const nb = build([{ id: 'n:q.ipynb', kind: 'notebook', name: 'q.ipynb', qualified: 'q.ipynb', references: ['t:["odoo","public","sale_order"]'] }]);
    expect(nb.search('sale_order')[0]).toMatchObject({ id: 'n:q.ipynb', matched: { field: 'references', text: 't:["odoo","public","sale_order"]' } });
    expect(nb.search('public.sale_order')).toHaveLength(1);
    expect(nb.search('sale')).toEqual([]);
  });

  test('tags and glossary terms', () => {
    expect(search('gold')[0]).toMatchObject({ id: T('account_move_line'), match: 'tag', matched: { field: 'tags', text: 'gold' } });
    const email = search('pii:email');
    expect(email[0]).toMatchObject({ id: C('res_partner', 'email') });
    expect(search('ledger').map((h) => h.id)).toEqual(['glossary:General Ledger', T('account_move_line')]);
  });

  test('filters: kinds, source, tags (all must be present)', () => {
    expect(search('journal', { kinds: ['column'] }).every((h) => h.kind === 'column')).toBe(true);
    expect(search('journal', { kinds: ['column'] }).length).toBeGreaterThan(0);
    expect(ids(search('journal', { kinds: ['table', 'view'] }))).toEqual([T('account_journal'), T('account_move_line'), T('account_move')]);
    expect(search('journal', { kinds: [] }).length).toBe(search('journal').length);
    expect(ids(search('gl', { source: 'Warehouse' }))).toEqual(['table:warehouse:finance.fct_gl_entries']);
    expect(search('journal', { source: 'warehouse' })).toEqual([]);
    expect(ids(search('partner', { tags: ['PII'] }))).toEqual([T('res_partner'), C('res_partner', 'vat')]);
    expect(ids(search('a', { tags: ['finance', 'gold'] }))).toEqual([T('account_move_line')]);
    expect(search('account', { tags: ['finance', 'pii'] })).toEqual([]);
  });

  test('accents and Unicode: folded on both sides', () => {
    expect(ids(search('écriture'))).toEqual(['table:warehouse:finance.fct_gl_entries']);
    expect(ids(search('ECRITURES comptables'))).toEqual(['table:warehouse:finance.fct_gl_entries']);
    const u = build([table('écriture_comptable', 'Ledger lines'), table('ｆｕｌｌ_width', 'x')]);
    expect(u.search('ecriture')[0]).toMatchObject({ name: 'écriture_comptable', match: 'prefix' });
    expect(u.search('ÉCRITURE_COMPTABLE')[0]!.match).toBe('exact');
    expect(u.search('full_width')[0]!.match).toBe('exact'); // NFKC
  });

  test('limit: default 20, at most 200, 0 returns nothing', () => {
    const many = build(Array.from({ length: 300 }, (_, i) => table(`amount_${String(i).padStart(3, '0')}`, 'Amount')));
    expect(many.search('amount')).toHaveLength(20);
    expect(many.search('amount', { limit: 3 }).map((h) => h.name)).toEqual(['amount_000', 'amount_001', 'amount_002']);
    expect(many.search('amount', { limit: 1000 })).toHaveLength(200);
    expect(many.search('amount', { limit: 0 })).toEqual([]);
  });

  test('empty, blank and punctuation-only queries return nothing; long ones are trimmed', () => {
    expect(search('')).toEqual([]);
    expect(search('   \t\n ')).toEqual([]);
    expect(search('... -- //')).toEqual([]);
    const words = 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa';
    const long = build([table('wordy', words)]);
    // 16 matching words then more that match nothing: only the first 16 count.
    expect(ids(long.search(`${words} zzzzzz qqqqqq`))).toEqual([T('wordy')]);
    expect(ids(long.search(`${'x'.repeat(600)} alpha`))).toEqual([]);
    expect(ids(long.search(`alpha ${'y'.repeat(600)}`))).toEqual([]);
    expect(() => long.search('a '.repeat(5000))).not.toThrow();
  });

  test('results are deterministic and independent of insertion order', () => {
    const reversed = build(odooCatalog().reverse());
    for (const q of ['journal', 'account', 'a', 'partner id', 'jornal', 'acount_move', 'pii', 'name']) {
      expect(reversed.search(q, { limit: 200 })).toEqual(search(q, { limit: 200 }));
    }
  });
});

describe('SearchIndex: popularity', () => {
  test('breaks ties within a class and never beats a better class', () => {
    const index = build([
      table('gl_entries_a', 'x', { popularity: 1 }),
      table('gl_entries_b', 'x', { popularity: 500 }),
      table('zz_archive', 'entries of old years', { popularity: 1e9 }),
    ]);
    expect(index.search('entries').map((h) => h.name)).toEqual(['gl_entries_b', 'gl_entries_a', 'zz_archive']);
  });
});

describe('SearchIndex: updates leave nothing stale', () => {
  test('upsert replaces by id: the old name, words, prefixes and typos find nothing', () => {
    const index = build();
    expect(index.size).toBe(odooCatalog().length);
    index.upsert(table('account_ledger', 'Ledger', { id: T('account_journal') }));
    expect(index.size).toBe(odooCatalog().length);
    expect(index.get(T('account_journal'))!.name).toBe('account_ledger');
    for (const q of ['account_journal', 'account_jo', 'jornal']) expect(ids(index.search(q))).not.toContain(T('account_journal'));
    expect(ids(index.search('journal', { kinds: ['table'] }))).toEqual([T('account_move_line'), T('account_move')]);
    expect(index.search('account_ledger')[0]).toMatchObject({ id: T('account_journal'), match: 'exact' });
    // Typos: tables (by kind) first within the class, then the glossary term.
    expect(ids(index.search('ledgr'))).toEqual([T('account_journal'), T('account_move_line'), 'glossary:General Ledger']);
  });

  test('upsert with only popularity or source changed updates ranking and filters in place', () => {
    const index = build();
    index.upsert(table('account_move', 'Journal Entry', { popularity: 80, tags: ['finance'], source: 'other' }));
    expect(ids(index.search('account_move', { source: 'odoo', kinds: ['table'] }))).toEqual([T('account_move_line')]);
    expect(ids(index.search('account_move', { source: 'other' }))).toEqual([T('account_move')]);
  });

  test('remove and removeWhere', () => {
    const index = build();
    index.remove(T('res_partner'));
    index.remove('no-such-id');
    expect(index.get(T('res_partner'))).toBeUndefined();
    expect(ids(index.search('partner', { kinds: ['table'] }))).toEqual([]);
    // Its columns are still there (their qualified names say res_partner).
    expect(index.search('res_partner').map((h) => [h.name, h.match])).toEqual([
      ['email', 'description'],
      ['name', 'description'],
      ['phone', 'description'],
      ['vat', 'description'],
    ]);
    expect(index.removeWhere((d) => d.parent === T('res_partner'))).toBe(4);
    expect(index.search('res_partner')).toEqual([]);
    expect(index.search('pii')).toEqual([]);
    expect(index.search('contact')).toEqual([]);
    const odoo = index.size - 3; // notebook, glossary term and warehouse table have no odoo source
    expect(index.removeWhere((d) => d.source === 'odoo')).toBe(odoo);
    expect(index.size).toBe(3);
    expect(index.search('journal').map((h) => h.id)).toEqual(['glossary:General Ledger']);
    expect(index.search('account_move_line').map((h) => h.id)).toEqual(['notebook:close/2026-11.ipynb']);
    expect(index.removeWhere(() => true)).toBe(3);
    expect(index.size).toBe(0);
    expect(index.search('journal')).toEqual([]);
    for (const doc of odooCatalog()) index.upsert(doc);
    expect(index.search('journal')).toEqual(build().search('journal'));
  });

  test('the stored copy does not follow later changes to the caller\'s object', () => {
    const doc = table('sale_order', 'Sales Order', { tags: ['sales'] });
    const index = build([doc]);
    doc.name = 'changed';
    doc.tags!.push('other');
    expect(index.get(doc.id)).toMatchObject({ name: 'sale_order', tags: ['sales'] });
    expect(Object.isFrozen(index.get(doc.id))).toBe(true);
    expect(index.search('sale_order')).toHaveLength(1);
  });

  test('many random updates give the same answers as a fresh index of the final documents', () => {
    // Seeded: enough churn to sweep postings and renumber slots.
    let seed = 42;
    const rand = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const parts = ['account', 'move', 'line', 'journal', 'partner', 'invoice', 'tax', 'ledger', 'payment', 'bank'];
    const makeDoc = (i: number): SearchDoc => {
      const name = `${parts[rand(10)]}_${parts[rand(10)]}${rand(3) ? '' : `_${parts[rand(10)]}`}`;
      return i % 4 === 0
        ? table(name, `${parts[rand(10)]} ${parts[rand(10)]} records`, { id: `d${i}`, tags: rand(5) ? undefined : ['pii'], popularity: rand(100) })
        : column(`${parts[rand(10)]}_${parts[rand(10)]}`, name, rand(2) ? `the ${parts[rand(10)]}` : undefined, { id: `d${i}` });
    };
    const index = new SearchIndex();
    const final = new Map<string, SearchDoc>();
    for (let step = 0; step < 6000; step++) {
      const i = rand(1500);
      const op = rand(10);
      if (op < 7) {
        const doc = makeDoc(i);
        index.upsert(doc);
        final.set(doc.id, doc);
      } else if (op < 9) {
        index.remove(`d${i}`);
        final.delete(`d${i}`);
      } else {
        const cut = rand(10);
        const n = index.removeWhere((d) => Number(d.id.slice(1)) % 10 === cut && d.kind === 'column');
        let expected = 0;
        for (const [id, d] of final) if (Number(id.slice(1)) % 10 === cut && d.kind === 'column') (final.delete(id), expected++);
        expect(n).toBe(expected);
      }
    }
    const queries = ['account', 'move_line', 'journal partner', 'jurnal', 'acount_move', 'pay', 'ledger.tax', 'invoice_tax', 'the bank', 'records', 'x', 'pii'];
    const same = (): void => {
      const fresh = build([...final.values()]);
      expect(index.size).toBe(final.size);
      for (const q of queries) expect(index.search(q, { limit: 200 })).toEqual(fresh.search(q, { limit: 200 }));
    };
    same();
    for (let i = 0; i < 1500; i++) {
      const doc = makeDoc(i);
      index.upsert(doc);
      final.set(doc.id, doc);
    }
    // A bulk removal (half of the documents, 256+) takes the one-pass path.
    const odd = (id: string): boolean => Number(id.slice(1)) % 2 === 1;
    const removed = index.removeWhere((d) => odd(d.id));
    expect(removed).toBe([...final.keys()].filter(odd).length);
    expect(removed).toBeGreaterThanOrEqual(256);
    for (const id of [...final.keys()]) if (odd(id)) final.delete(id);
    same();
    for (let i = 0; i < 300; i++) {
      const doc = makeDoc(rand(1500));
      index.upsert(doc);
      final.set(doc.id, doc);
    }
    same();
  });
});
