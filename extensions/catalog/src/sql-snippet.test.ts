import { needsQuotes, selectSnippet, sqlIdent } from './sql-snippet';

describe('identifiers', () => {
  it('quotes only what must be quoted', () => {
    for (const bare of ['id', 'account_move_line', '_x', 'date', 'name', 'amount2', 'type']) expect(sqlIdent(bare)).toBe(bare);
    expect(sqlIdent('Order')).toBe('"Order"');
    expect(sqlIdent('order')).toBe('"order"');
    expect(sqlIdent('user')).toBe('"user"');
    expect(sqlIdent('left')).toBe('"left"');
    expect(sqlIdent('2nd')).toBe('"2nd"');
    expect(sqlIdent('libellé')).toBe('"libellé"');
    expect(sqlIdent('a b')).toBe('"a b"');
    expect(sqlIdent('a/b')).toBe('"a/b"');
    expect(sqlIdent('Écritures "2026"')).toBe('"Écritures ""2026"""');
    expect(needsQuotes('')).toBe(true);
  });
});

describe('selectSnippet', () => {
  it('selects the columns of a warehouse table, without a connection line', () => {
    expect(selectSnippet({ source: 'warehouse', schema: 'gold', name: 'partner_balance' }, ['partner', 'balance'])).toBe('SELECT partner, balance\nFROM gold.partner_balance\nLIMIT 100');
  });

  it('names the connection of any other source on a leading comment line', () => {
    expect(selectSnippet({ source: 'odoo', schema: 'public', name: 'res_partner' }, ['id', 'name'], { limit: 10 })).toBe('-- connection: odoo\nSELECT id, name\nFROM public.res_partner\nLIMIT 10');
  });

  it('quotes schema, table and columns when needed, and * for no columns', () => {
    expect(selectSnippet({ source: 'odoo', schema: 'Compta', name: 'Écritures "2026"' }, ['id', 'libellé', 'order'])).toBe('-- connection: odoo\nSELECT id, "libellé", "order"\nFROM "Compta"."Écritures ""2026"""\nLIMIT 100');
    expect(selectSnippet({ source: 'warehouse', schema: 'main', name: 't' }, [])).toBe('SELECT *\nFROM main.t\nLIMIT 100');
  });

  it('breaks a long column list into lines of at most 72 characters', () => {
    const cols = ['id', 'move_id', 'move_name', 'parent_state', 'date', 'journal_id', 'company_id', 'company_currency_id', 'account_id', 'partner_id', 'name', 'display_type', 'debit', 'credit'];
    const text = selectSnippet({ source: 'warehouse', schema: 'bronze', name: 'aml' }, cols);
    const lines = text.split('\n');
    expect(lines).toEqual([
      'SELECT id, move_id, move_name, parent_state, date, journal_id,',
      '  company_id, company_currency_id, account_id, partner_id, name,',
      '  display_type, debit, credit',
      'FROM bronze.aml',
      'LIMIT 100',
    ]);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(72);
    expect(selectSnippet({ source: 'warehouse', schema: 'bronze', name: 'aml' }, cols, { width: 200 }).split('\n')).toHaveLength(3);
  });
});
