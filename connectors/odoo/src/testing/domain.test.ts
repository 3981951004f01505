/**
 * Odoo domains to SQL: normalisation (implicit &), prefix operators, `!`
 * pushed into leaves with Odoo's NULL semantics, each operator, dotted
 * paths, type checks, Odoo's ValueError for unknown fields and bad
 * leaves, and injection attempts that must end up as parameters or errors,
 * never as SQL text.
 */
import { domainToSql, orderToSql, SqlParams } from './domain';
import { OdooException } from './odoo-exception';
import { SimRegistry } from './simulator-models';

const reg = new SimRegistry();
const move = reg.model('account.move')!;
const line = reg.model('account.move.line')!;
const partner = reg.model('res.partner')!;

function sql(model: typeof move, domain: unknown): { sql: string; values: unknown[] } {
  const p = new SqlParams();
  return { sql: domainToSql(reg, model, domain, p), values: p.values };
}

function odooError(f: () => unknown): OdooException {
  try {
    f();
  } catch (e) {
    if (e instanceof OdooException) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('Odoo domain to SQL', () => {
  it('an empty domain matches everything; terms are ANDed implicitly', () => {
    expect(sql(move, [])).toEqual({ sql: 'TRUE', values: [] });
    expect(sql(move, [['state', '=', 'posted'], ['move_type', '=', 'in_invoice']])).toEqual({ sql: '(t.state = $1 AND t.move_type = $2)', values: ['posted', 'in_invoice'] });
  });

  it('prefix & | ! nest as Odoo reads them', () => {
    expect(sql(move, ['|', ['state', '=', 'draft'], '&', ['state', '=', 'posted'], ['amount_total', '>', 100]])).toEqual({
      sql: '(t.state = $1 OR (t.state = $2 AND t.amount_total > $3))',
      values: ['draft', 'posted', 100],
    });
    expect(sql(move, ['|', ['ref', '=', 'A'], ['ref', '=', 'B'], ['state', '=', 'posted']]).sql).toBe('((t.ref = $1 OR t.ref = $2) AND t.state = $3)');
  });

  it('! is pushed into the leaves (distribute_not): NULLs match a negated equality', () => {
    expect(sql(move, ['!', ['ref', '=', 'X']]).sql).toBe('(t.ref <> $1 OR t.ref IS NULL)');
    expect(sql(move, ['!', '|', ['amount_total', '<', 10], ['partner_id', 'in', [1, 2]]]).sql).toBe('(t.amount_total >= $1 AND (t.partner_id <> ALL($2) OR t.partner_id IS NULL))');
    expect(sql(move, ['!', '!', ['ref', 'ilike', 'x']]).sql).toBe('t.ref ILIKE $1');
    expect(sql(move, ['!', ['ref', '=like', 'INV%']]).sql).toBe('(NOT t.ref LIKE $1)');
  });

  it('each operator', () => {
    const one = (leaf: unknown[]) => sql(move, [leaf]);
    expect(one(['amount_total', '>=', 10])).toEqual({ sql: 't.amount_total >= $1', values: [10] });
    expect(one(['amount_total', '<>', 10]).sql).toBe('(t.amount_total <> $1 OR t.amount_total IS NULL)');
    expect(one(['ref', 'like', 'INV'])).toEqual({ sql: 't.ref LIKE $1', values: ['%INV%'] });
    expect(one(['ref', 'not ilike', 'inv'])).toEqual({ sql: '(t.ref NOT ILIKE $1 OR t.ref IS NULL)', values: ['%inv%'] });
    expect(one(['name', '=like', 'BILL/2025/%'])).toEqual({ sql: 't.name LIKE $1', values: ['BILL/2025/%'] });
    expect(one(['name', '=ilike', 'bill/%'])).toEqual({ sql: 't.name ILIKE $1', values: ['bill/%'] });
    expect(one(['id', 'in', [3, 4]])).toEqual({ sql: '(t.id = ANY($1))', values: [[3, 4]] });
    expect(one(['id', 'in', []])).toEqual({ sql: '(FALSE)', values: [] });
    expect(one(['id', 'not in', []])).toEqual({ sql: 'TRUE', values: [] });
    expect(one(['partner_id', 'in', [5, false]]).sql).toBe('(t.partner_id = ANY($1) OR t.partner_id IS NULL)');
    expect(one(['partner_id', '=', [5, 6]]).sql).toBe('(t.partner_id = ANY($1))');
    expect(one(['partner_id', '=', false]).sql).toBe('t.partner_id IS NULL');
    expect(one(['ref', '=', false]).sql).toBe("(t.ref IS NULL OR t.ref = '')");
    expect(one(['ref', '!=', false]).sql).toBe("(t.ref IS NOT NULL AND t.ref <> '')");
    expect(one(['posted_before', '=', false]).sql).toBe('(t.posted_before IS NULL OR t.posted_before = FALSE)');
    expect(one(['posted_before', '!=', false]).sql).toBe('t.posted_before = TRUE');
    expect(one(['partner_id', '=?', false]).sql).toBe('TRUE');
    expect(one(['partner_id', '=?', 7])).toEqual({ sql: 't.partner_id = $1', values: [7] });
    expect(one(['date', '<=', '2025-10-31'])).toEqual({ sql: 't.date <= $1', values: ['2025-10-31'] });
    expect(one(['amount_total', 'ilike', '100']).sql).toBe('t.amount_total::text ILIKE $1');
    expect(sql(reg.model('account.account')!, [['name', 'ilike', 'bank']]).sql).toBe("(t.name->>'en_US') ILIKE $1");
  });

  it('many2one by name, and dotted paths through many2one and one2many', () => {
    expect(sql(move, [['partner_id', 'ilike', 'Azure']])).toEqual({ sql: 't.partner_id IN (SELECT d1.id FROM res_partner d1 WHERE d1.complete_name ILIKE $1)', values: ['%Azure%'] });
    expect(sql(move, [['partner_id.vat', '=', 'BE0477472701']])).toEqual({ sql: 't.partner_id IN (SELECT d1.id FROM res_partner d1 WHERE d1.vat = $1)', values: ['BE0477472701'] });
    expect(sql(move, [['line_ids.account_id.code', '=like', '6%']]).sql).toBe('EXISTS (SELECT 1 FROM account_move_line d1 WHERE d1.move_id = t.id AND d1.account_id IN (SELECT d2.id FROM account_account d2 WHERE d2.code LIKE $1))');
    expect(sql(line, [['tax_ids', 'in', [1]]]).sql).toBe('EXISTS (SELECT 1 FROM account_move_line_account_tax_rel d1 WHERE d1.account_move_line_id = t.id AND d1.account_tax_id = ANY($1))');
    expect(sql(line, [['tax_ids', '=', false]]).sql).toBe('NOT EXISTS (SELECT 1 FROM account_move_line_account_tax_rel d1 WHERE d1.account_move_line_id = t.id)');
  });

  it('TRUE and FALSE leaves', () => {
    expect(sql(move, [[1, '=', 1]]).sql).toBe('TRUE');
    expect(sql(move, ['!', [0, '=', 1]]).sql).toBe('TRUE');
  });

  it("unknown fields and bad leaves are Odoo's ValueError", () => {
    const e = odooError(() => sql(move, [['foo', '=', 1]]));
    expect([e.exception, e.message]).toEqual(['builtins.ValueError', "Invalid field account.move.foo in leaf ('foo', '=', 1)"]);
    expect(odooError(() => sql(move, [['partner_id.nope', '=', 1]])).message).toBe("Invalid field res.partner.nope in leaf ('partner_id.nope', '=', 1)");
    expect(odooError(() => sql(move, [['ref.x', '=', 1]])).message).toBe("Invalid field account.move.ref.x in leaf ('ref.x', '=', 1)");
    expect(odooError(() => sql(move, [['ref', 'between', 1]])).message).toBe("Invalid leaf ('ref', 'between', 1)");
    expect(odooError(() => sql(move, [['ref', '=']])).message).toBe("Invalid leaf ('ref', '=')");
    expect(odooError(() => sql(move, ['|', ['ref', '=', 'a']])).message).toBe("Domain ['|', ['ref', '=', 'a']] is syntactically not correct.");
    expect(odooError(() => sql(move, ['state'])).message).toBe("Invalid leaf 'state'");
    expect(odooError(() => sql(move, 'state = 1')).exception).toBe('builtins.ValueError');
    expect(odooError(() => sql(move, [['id', '=', 'abc']])).message).toMatch(/^Invalid value 'abc' for id field id/);
    expect(odooError(() => sql(move, [['date', '=', 'yesterday']])).message).toBe("time data 'yesterday' does not match format '%Y-%m-%d'");
    expect(odooError(() => sql(move, [['ref', '=', { $ne: 1 }]])).message).toBe("Invalid leaf ('ref', '=', {'$ne': 1})");
    expect(odooError(() => sql(partner, [['parent_id', 'child_of', 1]])).message).toMatch(/not supported by the Odoo API simulator/);
  });

  it('injection attempts become parameters or errors, never SQL', () => {
    const evil = "x'); DROP TABLE account_move; --";
    for (const leaf of [
      ['ref', '=', evil],
      ['ref', 'ilike', evil],
      ['ref', 'in', [evil, "' OR 1=1 --"]],
      ['partner_id', 'ilike', evil],
      ['partner_id.name', '=like', evil],
    ]) {
      const r = sql(move, [leaf]);
      expect(r.sql).not.toContain('DROP');
      expect(r.sql).not.toContain("'");
      expect(JSON.stringify(r.values)).toContain('DROP TABLE');
    }
    for (const leaf of [
      ['ref; DROP TABLE account_move', '=', 1],
      ['ref = ref OR 1', '=', 1],
      ['partner_id.name) OR (1=1', '=', 1],
      ['ref', '= 1 OR 1 =', 1],
      ['ref', "' OR ''='", 1],
    ]) {
      expect(odooError(() => sql(move, [leaf])).exception).toBe('builtins.ValueError');
    }
  });

  it('orders: stored fields with a direction, anything else is refused', () => {
    expect(orderToSql(move, 'date desc, name')).toBe('t.date DESC, t.name ASC');
    expect(orderToSql(move, 'partner_id asc nulls last')).toBe('t.partner_id ASC NULLS LAST');
    expect(orderToSql(reg.model('account.journal')!, 'name')).toBe("(t.name->>'en_US') ASC");
    for (const bad of ['date; DROP TABLE x', 'nope', 'line_ids', 'date sideways', '(select 1)']) expect(() => orderToSql(move, bad)).toThrow(/Invalid "order" specified/);
  });
});
