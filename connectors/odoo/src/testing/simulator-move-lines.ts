/**
 * account.move lines in the Odoo API simulator: `invoice_line_ids` and
 * `line_ids` commands, and a draft document re-derived from its product
 * lines the way Odoo 17 does on create/write: subtotals, one tax line per
 * tax (its account from the tax's repartition line), the receivable or
 * payable line that balances the move, the bill's accounting date, the
 * move's totals (`_compute_amount`), and `_check_balanced`.
 */
import { dayFromIso, isoFromDay } from '../accounting-date';
import { moveAmounts, type MoveType } from '../demo/ledger';
import { OdooException, pyRepr, userError, validationError, valueError } from './odoo-exception';
import type { SimRegistry } from './simulator-models';
import { accountingDay, cents, checkFields, dateArg, DOC_SIGN, intArg, loadMoves, locksOf, money, SALE, strArg, type MoveEnv, type MoveRow } from './simulator-move-rows';

export const PRODUCT_LINE_FIELDS = new Set(['name', 'quantity', 'price_unit', 'discount', 'account_id', 'tax_ids', 'analytic_distribution', 'display_type', 'sequence', 'partner_id']);

export const ENTRY_LINE_FIELDS = new Set(['name', 'account_id', 'partner_id', 'debit', 'credit', 'amount_currency', 'currency_id', 'date_maturity', 'analytic_distribution']);

/** x2many commands that may only create: `[0, 0, vals]` (or `[0, 'virtual_1', vals]`). */
export function parseCreateCommands(v: unknown, field: string): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw valueError(`Wrong value for account.move.${field}: ${pyRepr(v)}`);
  return v.map((cmd) => {
    if (!Array.isArray(cmd) || cmd[0] !== 0 || typeof cmd[2] !== 'object' || cmd[2] === null || Array.isArray(cmd[2])) throw valueError(`Wrong value for account.move.${field}: ${pyRepr(cmd)}`);
    return cmd[2] as Record<string, unknown>;
  });
}

/** Apply `invoice_line_ids` commands: 0 create, 1 update, 2/3 delete, 5 clear. */
export async function applyInvoiceLineCommands(reg: SimRegistry, env: MoveEnv, moveId: number, commands: unknown, creating: boolean): Promise<void> {
  if (!Array.isArray(commands)) throw valueError(`Wrong value for account.move.invoice_line_ids: ${pyRepr(commands)}`);
  const own = async (lineId: unknown) => {
    const { rows } = await env.db.query('SELECT 1 FROM account_move_line WHERE id = $1 AND move_id = $2', [lineId, moveId]);
    if (!Number.isInteger(lineId) || !rows.length) throw userError(`Record does not exist or has been deleted.\n(Record: account.move.line(${pyRepr(lineId)},), User: ${env.uid})`);
  };
  for (const cmd of commands) {
    if (!Array.isArray(cmd)) throw valueError(`Wrong value for account.move.invoice_line_ids: ${pyRepr(cmd)}`);
    const [op, lineId, vals] = cmd as [unknown, unknown, unknown];
    if (op === 0 && typeof vals === 'object' && vals !== null && !Array.isArray(vals)) await insertProductLine(reg, env, moveId, vals as Record<string, unknown>);
    else if (op === 1 && !creating && typeof vals === 'object' && vals !== null) {
      await own(lineId);
      await env.db.query('DELETE FROM account_move_line_account_tax_rel WHERE account_move_line_id = $1', [lineId]);
      const { rows } = await env.db.query<Record<string, unknown>>('SELECT name, quantity::float8, price_unit::float8, discount::float8, account_id, display_type FROM account_move_line WHERE id = $1', [lineId]);
      await env.db.query('DELETE FROM account_move_line WHERE id = $1', [lineId]);
      await insertProductLine(reg, env, moveId, { ...rows[0], ...(vals as Record<string, unknown>) });
    } else if ((op === 2 || op === 3) && !creating) {
      await own(lineId);
      await env.db.query('DELETE FROM account_move_line WHERE id = $1', [lineId]);
    } else if (op === 5 && !creating) {
      await env.db.query(`DELETE FROM account_move_line WHERE move_id = $1 AND display_type IN ('product', 'line_section', 'line_note')`, [moveId]);
    } else throw valueError(`Wrong value for account.move.invoice_line_ids: ${pyRepr(cmd)}`);
  }
}

export function taxIdsOf(v: unknown): number[] {
  if (v === undefined || v === false || v === null) return [];
  if (!Array.isArray(v)) throw valueError(`Wrong value for account.move.line.tax_ids: ${pyRepr(v)}`);
  const out = new Set<number>();
  for (const c of v) {
    if (Number.isInteger(c)) out.add(c as number);
    else if (Array.isArray(c) && c[0] === 6 && Array.isArray(c[2])) {
      out.clear();
      for (const t of c[2]) out.add(intArg(t, 'tax_ids')!);
    } else if (Array.isArray(c) && c[0] === 4) out.add(intArg(c[1], 'tax_ids')!);
    else if (Array.isArray(c) && c[0] === 5) out.clear();
    else throw valueError(`Wrong value for account.move.line.tax_ids: ${pyRepr(c)}`);
  }
  return [...out];
}

export async function insertProductLine(reg: SimRegistry, env: MoveEnv, moveId: number, vals: Record<string, unknown>): Promise<void> {
  checkFields(reg, 'account.move.line', vals, PRODUCT_LINE_FIELDS);
  const [m] = await loadMoves(env, [moveId], false);
  const displayType = (vals.display_type ?? 'product') as string;
  if (!['product', 'line_section', 'line_note'].includes(displayType)) throw valueError(`Wrong value for account.move.line.display_type: ${pyRepr(displayType)}`);
  const accountable = displayType === 'product';
  const accountId = accountable ? (intArg(vals.account_id, 'account_id') ?? m!.default_account_id) : null;
  if (accountable && accountId === null) throw validationError('The operation cannot be completed: Missing required account on accountable invoice line.');
  if (accountId !== null) {
    const { rows } = await env.db.query<{ company_id: number; deprecated: boolean }>('SELECT company_id, deprecated FROM account_account WHERE id = $1', [accountId]);
    if (!rows[0]) throw userError(`Record does not exist or has been deleted.\n(Record: account.account(${accountId},), User: ${env.uid})`);
    if (rows[0].company_id !== m!.company_id) throw userError('Incompatible companies on records: the account belongs to another company than the entry.');
  }
  const taxIds = accountable ? taxIdsOf(vals.tax_ids) : [];
  const use = SALE.has(m!.move_type) ? 'sale' : 'purchase';
  for (const t of taxIds) {
    const { rows } = await env.db.query<{ company_id: number; type_tax_use: string; amount_type: string }>('SELECT company_id, type_tax_use, amount_type FROM account_tax WHERE id = $1', [t]);
    if (!rows[0]) throw userError(`Record does not exist or has been deleted.\n(Record: account.tax(${t},), User: ${env.uid})`);
    if (rows[0].company_id !== m!.company_id) throw userError('Incompatible companies on records: the tax belongs to another company than the entry.');
    if (rows[0].type_tax_use !== use) throw userError(`The tax ${t} cannot be used on a ${use === 'sale' ? 'sales' : 'purchase'} document.`);
    if (rows[0].amount_type !== 'percent') throw new OdooException('builtins.NotImplementedError', 'The Odoo API simulator computes percent taxes only');
  }
  const num = (v: unknown, d: number, f: string) => (v === undefined || v === false || v === null ? d : typeof v === 'number' ? v : fail(f, v));
  const fail = (f: string, v: unknown): never => {
    throw valueError(`Wrong value for account.move.line.${f}: ${pyRepr(v)}`);
  };
  const { rows } = await env.db.query<{ id: number }>(
    `INSERT INTO account_move_line (move_id, move_name, date, ref, parent_state, journal_id, company_id, company_currency_id, account_id, partner_id, name, display_type, sequence,
       debit, credit, balance, amount_currency, currency_id, amount_residual, amount_residual_currency, reconciled, quantity, price_unit, discount, analytic_distribution,
       invoice_date, blocked, create_uid, create_date, write_uid, write_date)
     SELECT m.id, m.name, m.date, m.ref, m.state, m.journal_id, m.company_id, $2, $3, m.commercial_partner_id, $4, $5,
            coalesce($6, (SELECT coalesce(max(sequence), 9) + 1 FROM account_move_line WHERE move_id = m.id)),
            0, 0, 0, 0, m.currency_id, 0, 0, false, $7, $8, $9, $10, m.invoice_date, false, $11, $12, $11, $12
       FROM account_move m WHERE m.id = $1 RETURNING id`,
    [
      moveId, m!.company_currency_id, accountId, strArg(vals.name), displayType, intArg(vals.sequence, 'sequence'), accountable ? num(vals.quantity, 1, 'quantity') : null,
      accountable ? num(vals.price_unit, 0, 'price_unit') : null, accountable ? num(vals.discount, 0, 'discount') : null,
      vals.analytic_distribution ? JSON.stringify(vals.analytic_distribution) : null, env.uid, env.now,
    ],
  );
  for (const t of taxIds) await env.db.query('INSERT INTO account_move_line_account_tax_rel (account_move_line_id, account_tax_id) VALUES ($1, $2)', [rows[0]!.id, t]);
}

export async function insertEntryLine(reg: SimRegistry, env: MoveEnv, moveId: number, vals: Record<string, unknown>): Promise<void> {
  checkFields(reg, 'account.move.line', vals, ENTRY_LINE_FIELDS);
  const [m] = await loadMoves(env, [moveId], false);
  const accountId = intArg(vals.account_id, 'account_id');
  if (accountId === null) throw validationError('The operation cannot be completed: Missing required account on accountable invoice line.');
  const acc = await env.db.query<{ company_id: number; reconcile: boolean; account_type: string }>('SELECT company_id, reconcile, account_type FROM account_account WHERE id = $1', [accountId]);
  if (!acc.rows[0] || acc.rows[0].company_id !== m!.company_id) throw userError('Incompatible companies on records: the account belongs to another company than the entry.');
  const debit = cents(vals.debit ?? 0);
  const credit = cents(vals.credit ?? 0);
  if (!Number.isFinite(debit) || !Number.isFinite(credit) || debit < 0 || credit < 0 || (debit && credit)) throw validationError('The operation cannot be completed: Wrong credit or debit value in accounting entry!');
  const balance = debit - credit;
  const currencyId = intArg(vals.currency_id, 'currency_id') ?? m!.company_currency_id;
  const amountCurrency = currencyId === m!.company_currency_id ? balance : cents(vals.amount_currency ?? 0);
  const residual = acc.rows[0].reconcile || acc.rows[0].account_type === 'asset_cash' || acc.rows[0].account_type === 'liability_credit_card';
  await env.db.query(
    `INSERT INTO account_move_line (move_id, move_name, date, ref, parent_state, journal_id, company_id, company_currency_id, account_id, partner_id, name, display_type, sequence,
       debit, credit, balance, amount_currency, currency_id, amount_residual, amount_residual_currency, reconciled, date_maturity, analytic_distribution, blocked, create_uid, create_date, write_uid, write_date)
     SELECT m.id, m.name, m.date, m.ref, m.state, m.journal_id, m.company_id, $2, $3, $4, $5, 'product', (SELECT coalesce(max(sequence), 9) + 1 FROM account_move_line WHERE move_id = m.id),
            $6, $7, $8, $9, $10, $11, $12, false, coalesce($13, m.date), $14, false, $15, $16, $15, $16
       FROM account_move m WHERE m.id = $1`,
    [
      moveId, m!.company_currency_id, accountId, intArg(vals.partner_id, 'partner_id'), strArg(vals.name), money(debit), money(credit), money(balance), money(amountCurrency), currencyId,
      money(residual ? balance : 0), money(residual ? amountCurrency : 0), dateArg(vals.date_maturity, 'date_maturity'), vals.analytic_distribution ? JSON.stringify(vals.analytic_distribution) : null, env.uid, env.now,
    ],
  );
}

/** Rate of `currencyId` for the company on `date`: latest rate on or before it, the company's before shared ones, else 1. */
export async function rateOn(env: MoveEnv, companyId: number, currencyId: number, companyCurrencyId: number, date: string): Promise<number> {
  if (currencyId === companyCurrencyId) return 1;
  const { rows } = await env.db.query<{ rate: string }>(
    'SELECT rate::text FROM res_currency_rate WHERE currency_id = $1 AND name <= $2 AND (company_id = $3 OR company_id IS NULL) ORDER BY name DESC, company_id NULLS LAST LIMIT 1',
    [currencyId, date, companyId],
  );
  return rows[0] ? Number(rows[0].rate) : 1;
}

/**
 * Re-derive a draft document from its product lines: subtotals, one tax
 * line per tax (account from its repartition), the receivable/payable
 * line that balances the move, the accounting date, and the totals.
 */
export async function recomputeDocument(env: MoveEnv, moveId: number, explicitDate: string | null): Promise<void> {
  const [m] = await loadMoves(env, [moveId], false);
  const s = DOC_SIGN[m!.move_type]!;
  const refund = m!.move_type.endsWith('refund');
  const { rows: products } = await env.db.query<{ id: number; quantity: number; price_unit: number; discount: number; account_id: number | null; display_type: string; tax_ids: number[] | null }>(
    `SELECT l.id, l.quantity::float8 AS quantity, l.price_unit::float8 AS price_unit, coalesce(l.discount, 0)::float8 AS discount, l.account_id, l.display_type,
            (SELECT array_agg(account_tax_id ORDER BY account_tax_id) FROM account_move_line_account_tax_rel WHERE account_move_line_id = l.id) AS tax_ids
       FROM account_move_line l WHERE l.move_id = $1 AND l.display_type IN ('product', 'line_section', 'line_note') ORDER BY l.sequence, l.id`,
    [moveId],
  );
  const withTax = products.some((p) => p.tax_ids?.length);
  // Bills are dated by _get_accounting_date; sales documents by their invoice date.
  let date = m!.date;
  if (m!.invoice_date && !explicitDate) date = isoFromDay(SALE.has(m!.move_type) ? dayFromIso(m!.invoice_date) : await accountingDay(env, { move_type: m!.move_type, journal_id: m!.journal_id, locks: locksOf(m!) }, dayFromIso(m!.invoice_date), withTax));
  const rate = await rateOn(env, m!.company_id, m!.currency_id, m!.company_currency_id, m!.invoice_date ?? date);
  const conv = (c: number) => (m!.currency_id === m!.company_currency_id ? c : Math.round(c / rate));
  await env.db.query(`DELETE FROM account_move_line WHERE move_id = $1 AND display_type IN ('tax', 'payment_term')`, [moveId]);
  const taxes = new Map<number, { cur: number; base: number }>();
  let total = 0;
  let totalCompany = 0;
  for (const p of products) {
    if (p.display_type !== 'product') continue;
    const sub = Math.round(p.quantity * p.price_unit * (1 - p.discount / 100) * 100);
    let lineTax = 0;
    const rates = p.tax_ids?.length ? (await env.db.query<{ id: number; amount: string }>('SELECT id, amount::text FROM account_tax WHERE id = ANY($1)', [p.tax_ids])).rows : [];
    for (const t of rates) {
      const amount = Math.round((sub * Number(t.amount)) / 100);
      lineTax += amount;
      const acc = taxes.get(t.id) ?? { cur: 0, base: 0 };
      acc.cur += amount;
      acc.base += conv(sub);
      taxes.set(t.id, acc);
    }
    const balance = -s * conv(sub);
    total += sub + lineTax;
    totalCompany -= balance;
    await env.db.query(
      `UPDATE account_move_line SET price_subtotal = $2, price_total = $3, amount_currency = $4, balance = $5, debit = $6, credit = $7, date = $8, write_uid = $9, write_date = $10 WHERE id = $1`,
      [p.id, money(sub), money(sub + lineTax), money(-s * sub), money(balance), money(Math.max(balance, 0)), money(Math.max(-balance, 0)), date, env.uid, env.now],
    );
  }
  let seq = 1000;
  for (const [taxId, t] of taxes) {
    const { rows } = await env.db.query<{ account_id: number | null; name: string }>(
      `SELECT r.account_id, t.name->>'en_US' AS name FROM account_tax t LEFT JOIN account_tax_repartition_line r ON r.tax_id = t.id AND r.repartition_type = 'tax' AND r.document_type = $2 WHERE t.id = $1 ORDER BY r.sequence LIMIT 1`,
      [taxId, refund ? 'refund' : 'invoice'],
    );
    if (!rows[0]?.account_id) throw userError(`The tax ${rows[0]?.name ?? taxId} has no account to book it on (account.tax.repartition.line)`);
    const balance = -s * conv(t.cur);
    totalCompany -= balance;
    await insertComputedLine(env, m!, { accountId: rows[0].account_id, name: rows[0].name, displayType: 'tax', balance, amountCurrency: -s * t.cur, taxLineId: taxId, taxBase: -s * t.base, sequence: seq++, date });
  }
  const arType = SALE.has(m!.move_type) ? 'asset_receivable' : 'liability_payable';
  const ar = await env.db.query<{ id: number }>('SELECT id FROM account_account WHERE company_id = $1 AND account_type = $2 AND NOT coalesce(deprecated, false) ORDER BY code LIMIT 1', [m!.company_id, arType]);
  if (!ar.rows[0]) throw userError(`No ${arType === 'asset_receivable' ? 'receivable' : 'payable'} account in the company`);
  await insertComputedLine(env, m!, { accountId: ar.rows[0].id, name: '', displayType: 'payment_term', balance: totalCompany, amountCurrency: s * total, sequence: seq, date, dateMaturity: m!.invoice_date_due ?? m!.invoice_date ?? date, residual: true });
  // Without payment terms the due date is the payment-term line's maturity: the invoice date unless one was given.
  await env.db.query('UPDATE account_move SET date = $2, invoice_date_due = $5, write_uid = $3, write_date = $4 WHERE id = $1', [moveId, date, env.uid, env.now, m!.invoice_date_due ?? m!.invoice_date ?? date]);
  await refreshTotals(env, moveId);
}

export async function insertComputedLine(
  env: MoveEnv,
  m: MoveRow,
  l: { accountId: number; name: string; displayType: string; balance: number; amountCurrency: number; taxLineId?: number; taxBase?: number; sequence: number; date: string; dateMaturity?: string; residual?: boolean },
): Promise<void> {
  await env.db.query(
    `INSERT INTO account_move_line (move_id, move_name, date, ref, parent_state, journal_id, company_id, company_currency_id, account_id, partner_id, name, display_type, sequence,
       debit, credit, balance, amount_currency, currency_id, amount_residual, amount_residual_currency, reconciled, tax_line_id, tax_base_amount, date_maturity, invoice_date, blocked,
       create_uid, create_date, write_uid, write_date)
     SELECT m.id, m.name, $2, m.ref, m.state, m.journal_id, m.company_id, $3, $4, m.commercial_partner_id, $5, $6, $7, $8, $9, $10, $11, m.currency_id, $12, $13, false, $14, $15, $16,
            m.invoice_date, false, $17, $18, $17, $18
       FROM account_move m WHERE m.id = $1`,
    [
      m.id, l.date, m.company_currency_id, l.accountId, l.name, l.displayType, l.sequence, money(Math.max(l.balance, 0)), money(Math.max(-l.balance, 0)), money(l.balance), money(l.amountCurrency),
      money(l.residual ? l.balance : 0), money(l.residual ? l.amountCurrency : 0), l.taxLineId ?? null, l.taxBase === undefined ? null : money(l.taxBase), l.dateMaturity ?? null, env.uid, env.now,
    ],
  );
}

/** The move's stored totals from its lines (`_compute_amount`). */
export async function refreshTotals(env: MoveEnv, moveId: number): Promise<void> {
  const { rows } = await env.db.query<{ move_type: MoveType; display_type: string; balance: string; amount_currency: string; currency_id: number; amount_residual: string; amount_residual_currency: string }>(
    `SELECT m.move_type, l.display_type, l.balance::text, l.amount_currency::text, l.currency_id, l.amount_residual::text, l.amount_residual_currency::text
       FROM account_move m JOIN account_move_line l ON l.move_id = m.id WHERE m.id = $1`,
    [moveId],
  );
  if (!rows.length) return;
  const t = moveAmounts(rows[0]!.move_type, rows.map((r) => ({ displayType: r.display_type, balance: cents(r.balance), amountCurrency: cents(r.amount_currency), currencyId: r.currency_id, residual: cents(r.amount_residual), residualCurrency: cents(r.amount_residual_currency) })));
  await env.db.query(
    `UPDATE account_move SET amount_untaxed = $2, amount_tax = $3, amount_total = $4, amount_residual = $5, amount_untaxed_signed = $6, amount_tax_signed = $7, amount_total_signed = $8,
       amount_total_in_currency_signed = $9, amount_residual_signed = $10, always_tax_exigible = $11 WHERE id = $1`,
    [moveId, money(t.untaxed), money(t.tax), money(t.total), money(t.residual), money(t.untaxedSigned), money(t.taxSigned), money(t.totalSigned), money(t.totalInCurrencySigned), money(t.residualSigned), !t.hasArAp],
  );
}

/** `_check_balanced`: Odoo's UserError, naming each unbalanced move. */
export async function checkBalanced(env: MoveEnv, moveIds: number[]): Promise<void> {
  const { rows } = await env.db.query<{ move_id: number; debit: string; credit: string }>(
    `SELECT l.move_id, sum(l.debit)::text AS debit, sum(l.credit)::text AS credit FROM account_move_line l WHERE l.move_id = ANY($1) GROUP BY l.move_id HAVING round(sum(l.balance), 2) <> 0 ORDER BY 1`,
    [moveIds],
  );
  if (!rows.length) return;
  let msg = 'An error has occurred.';
  for (const r of rows) {
    const [m] = await loadMoves(env, [r.move_id], false);
    const { rows: cur } = await env.db.query<{ symbol: string; position: string }>('SELECT symbol, position FROM res_currency WHERE id = $1', [m!.company_currency_id]);
    const fmt = (v: string) => {
      const n = Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      return cur[0]!.position === 'before' ? `${cur[0]!.symbol} ${n}` : `${n} ${cur[0]!.symbol}`;
    };
    const display = m!.name && m!.name !== '/' ? m!.name : `Draft Entry (* ${m!.id})`;
    msg += `\n\nThe move (${display}) is not balanced.\nThe total of debits equals ${fmt(r.debit)} and the total of credits equals ${fmt(r.credit)}.\nYou might want to specify a default account on journal "${m!.journal_name}" to automatically balance each move.`;
  }
  throw userError(msg);
}
