/**
 * account.move's write side in the Odoo API simulator, after Odoo 17's
 * addons/account/models/account_move.py: `create` (documents from
 * `invoice_line_ids` commands `[0, 0, vals]`, the tax lines and the
 * receivable/payable line generated so the move balances; entries from
 * `line_ids`, refused when unbalanced), `write` (drafts; on posted moves
 * only what Odoo allows, and nothing dated inside a lock), `action_post`
 * (checks, the lock-date re-dating of `_post`, the journal's next number),
 * `button_draft`, `button_cancel` and `unlink` (drafts only).
 *
 * Percent taxes only; no payment terms (due date = invoice date unless
 * given), no fiscal positions, no cash rounding, no analytic lines.
 */
import { dayFromIso, isoFromDay, userLockDate, violatedLockDates, ymd } from '../accounting-date';
import { MOVE_TYPES } from '../odoo17-models';
import { OdooException, pyRepr, typeError, userError, validationError, valueError } from './odoo-exception';
import type { SimRegistry } from './simulator-models';
import { applyInvoiceLineCommands, checkBalanced, insertEntryLine, parseCreateCommands, recomputeDocument, refreshTotals } from './simulator-move-lines';
import { accountingDay, checkFields, dateArg, formatDate, ids, intArg, loadMoves, locksOf, PURCHASE, SALE, strArg, type MoveEnv, type MoveRow } from './simulator-move-rows';

export type { MoveEnv } from './simulator-move-rows';

const CREATE_FIELDS = new Set(['move_type', 'partner_id', 'invoice_date', 'date', 'ref', 'journal_id', 'currency_id', 'invoice_date_due', 'payment_reference', 'narration', 'invoice_line_ids', 'line_ids', 'company_id']);

const DRAFT_WRITE_FIELDS = new Set(['partner_id', 'invoice_date', 'date', 'ref', 'invoice_date_due', 'payment_reference', 'narration', 'invoice_line_ids', 'line_ids']);

const POSTED_READONLY: Record<string, string> = { invoice_line_ids: 'Invoice lines', line_ids: 'Journal Items', invoice_date: 'Invoice/Bill Date', date: 'Date', partner_id: 'Partner', currency_id: 'Currency', journal_id: 'Journal' };

/** `_check_fiscalyear_lock_date` and the lines' `_check_tax_lock_date`: a posted move inside a lock cannot change. */
async function checkLocks(env: MoveEnv, m: MoveRow): Promise<void> {
  const locks = locksOf(m);
  const day = dayFromIso(m.date);
  const user = userLockDate(locks, env.adviser);
  if (user !== null && day <= user) {
    throw userError(
      env.adviser
        ? `You cannot add/modify entries prior to and inclusive of the lock date ${formatDate(user)}.`
        : `You cannot add/modify entries prior to and inclusive of the lock date ${formatDate(user)}. Check the company settings or ask someone with the 'Adviser' role`,
    );
  }
  if (locks.tax !== null && day <= locks.tax && (await hasTax(env, m.id))) {
    throw userError(`The operation is refused as it would impact an already issued tax statement. Please change the journal entry date or the tax lock date set in the settings (${formatDate(locks.tax)}) to proceed.`);
  }
}

async function hasTax(env: MoveEnv, moveId: number): Promise<boolean> {
  const { rows } = await env.db.query(`SELECT 1 FROM account_move_line WHERE move_id = $1 AND (tax_line_id IS NOT NULL OR id IN (SELECT account_move_line_id FROM account_move_line_account_tax_rel)) LIMIT 1`, [moveId]);
  return rows.length > 0;
}

export async function createMoves(reg: SimRegistry, env: MoveEnv, valsList: unknown): Promise<number | number[]> {
  const list = Array.isArray(valsList) ? valsList : [valsList];
  const out: number[] = [];
  for (const vals of list) {
    if (typeof vals !== 'object' || vals === null || Array.isArray(vals)) throw typeError(`create() takes a dict or a list of dicts, not ${pyRepr(vals)}`);
    out.push(await createMove(reg, env, vals as Record<string, unknown>));
  }
  return Array.isArray(valsList) ? out : out[0]!;
}

async function createMove(reg: SimRegistry, env: MoveEnv, vals: Record<string, unknown>): Promise<number> {
  checkFields(reg, 'account.move', vals, CREATE_FIELDS);
  const moveType = (vals.move_type ?? 'entry') as string;
  if (!MOVE_TYPES.some(([t]) => t === moveType)) throw valueError(`Wrong value for account.move.move_type: ${pyRepr(moveType)}`);
  const journal = await pickJournal(env, moveType, intArg(vals.journal_id, 'journal_id'), intArg(vals.company_id, 'company_id'));
  const partnerId = intArg(vals.partner_id, 'partner_id');
  if (partnerId !== null && !(await env.db.query('SELECT 1 FROM res_partner WHERE id = $1', [partnerId])).rows.length) throw userError(`Record does not exist or has been deleted.\n(Record: res.partner(${partnerId},), User: ${env.uid})`);
  const currencyId = intArg(vals.currency_id, 'currency_id') ?? journal.currency_id ?? journal.company_currency_id;
  const invoiceDate = dateArg(vals.invoice_date, 'invoice_date');
  const explicitDate = dateArg(vals.date, 'date');
  const isDoc = moveType !== 'entry';
  if (isDoc && vals.line_ids !== undefined) throw new OdooException('builtins.NotImplementedError', 'The Odoo API simulator builds invoice lines from invoice_line_ids only');
  if (!isDoc && vals.invoice_line_ids !== undefined) throw userError('Journal entries take line_ids, not invoice_line_ids');
  const { rows } = await env.db.query<{ id: number }>(
    `INSERT INTO account_move (name, ref, date, state, move_type, journal_id, company_id, currency_id, partner_id, commercial_partner_id, invoice_date, invoice_date_due, payment_reference, narration,
       amount_untaxed, amount_tax, amount_total, amount_residual, amount_untaxed_signed, amount_tax_signed, amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
       payment_state, sequence_prefix, sequence_number, posted_before, to_check, auto_post, is_storno, always_tax_exigible, create_uid, create_date, write_uid, write_date)
     VALUES ('/', $1, $2, 'draft', $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'not_paid', '', 0, false, false, 'no', false, $12, $13, $14, $13, $14) RETURNING id`,
    [strArg(vals.ref), explicitDate ?? invoiceDate ?? isoFromDay(env.today), moveType, journal.id, journal.company_id, currencyId, partnerId, invoiceDate, dateArg(vals.invoice_date_due, 'invoice_date_due'), strArg(vals.payment_reference), strArg(vals.narration), !isDoc, env.uid, env.now],
  );
  const id = rows[0]!.id;
  if (isDoc) {
    await applyInvoiceLineCommands(reg, env, id, vals.invoice_line_ids ?? [], true);
    await recomputeDocument(env, id, explicitDate);
  } else {
    for (const vals2 of parseCreateCommands(vals.line_ids ?? [], 'line_ids')) await insertEntryLine(reg, env, id, vals2);
    await checkBalanced(env, [id]);
    await refreshTotals(env, id);
  }
  return id;
}

interface JournalRow {
  id: number;
  type: string;
  company_id: number;
  currency_id: number | null;
  company_currency_id: number;
}

async function pickJournal(env: MoveEnv, moveType: string, journalId: number | null, companyId: number | null): Promise<JournalRow> {
  const type = SALE.has(moveType) ? 'sale' : PURCHASE.has(moveType) ? 'purchase' : 'general';
  const base = 'SELECT j.id, j.type, j.company_id, j.currency_id, c.currency_id AS company_currency_id FROM account_journal j JOIN res_company c ON c.id = j.company_id';
  if (journalId !== null) {
    const { rows } = await env.db.query<JournalRow>(`${base} WHERE j.id = $1`, [journalId]);
    if (!rows[0]) throw userError(`Record does not exist or has been deleted.\n(Record: account.journal(${journalId},), User: ${env.uid})`);
    if (type === 'purchase' && rows[0].type !== 'purchase') throw validationError('Cannot create a purchase document in a non purchase journal');
    if (type === 'sale' && rows[0].type !== 'sale') throw validationError('Cannot create a sale document in a non sale journal');
    return rows[0];
  }
  const company = companyId ?? env.companies?.[0] ?? env.userCompanyId;
  const { rows } = await env.db.query<JournalRow>(`${base} WHERE j.company_id = $1 AND j.type = $2 AND coalesce(j.active, true) ORDER BY j.sequence, j.id LIMIT 1`, [company, type]);
  if (!rows[0]) throw userError(`No journal could be found in company ${company} for any of those types: ${type}`);
  return rows[0];
}

export async function writeMoves(reg: SimRegistry, env: MoveEnv, idsArg: unknown, vals: unknown): Promise<true> {
  if (typeof vals !== 'object' || vals === null || Array.isArray(vals)) throw typeError(`write() takes a dict of values, not ${pyRepr(vals)}`);
  const v = vals as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!reg.model('account.move')!.field(k)) throw valueError(`Invalid field ${pyRepr(k)} on model 'account.move'`);
  for (const m of await loadMoves(env, ids(idsArg))) {
    if (m.state === 'posted') {
      // You can't change the date or name of a move being inside a locked period.
      if (('date' in v && dateArg(v.date, 'date') !== m.date) || ('name' in v && v.name !== m.name)) await checkLocks(env, m);
      const readonly = Object.keys(v).filter((k) => k in POSTED_READONLY);
      if (readonly.length) throw userError(`You cannot modify the following readonly fields on a posted move: ${readonly.map((k) => POSTED_READONLY[k]).join(', ')}`);
    }
    for (const k of Object.keys(v)) if (!DRAFT_WRITE_FIELDS.has(k)) throw new OdooException('builtins.NotImplementedError', `The Odoo API simulator does not write account.move.${k}`);
    const set: string[] = [];
    const params: unknown[] = [m.id];
    const put = (col: string, value: unknown) => {
      params.push(value);
      set.push(`${col} = $${params.length}`);
    };
    if ('ref' in v) put('ref', strArg(v.ref));
    if ('payment_reference' in v) put('payment_reference', strArg(v.payment_reference));
    if ('narration' in v) put('narration', strArg(v.narration));
    if ('invoice_date_due' in v) put('invoice_date_due', dateArg(v.invoice_date_due, 'invoice_date_due'));
    if ('invoice_date' in v) put('invoice_date', dateArg(v.invoice_date, 'invoice_date'));
    if ('date' in v) put('date', dateArg(v.date, 'date') ?? m.date);
    if ('partner_id' in v) {
      put('partner_id', intArg(v.partner_id, 'partner_id'));
      set.push(`commercial_partner_id = $${params.length}`);
    }
    put('write_uid', env.uid);
    put('write_date', env.now);
    await env.db.query(`UPDATE account_move SET ${set.join(', ')} WHERE id = $1`, params);
    await env.db.query(
      `UPDATE account_move_line l SET ref = m.ref, partner_id = CASE WHEN l.display_type IN ('line_section', 'line_note') THEN NULL ELSE coalesce(m.commercial_partner_id, l.partner_id) END,
              date = m.date, invoice_date = m.invoice_date, write_uid = $2, write_date = $3 FROM account_move m WHERE m.id = l.move_id AND m.id = $1`,
      [m.id, env.uid, env.now],
    );
    if (m.move_type !== 'entry') {
      if ('invoice_line_ids' in v) await applyInvoiceLineCommands(reg, env, m.id, v.invoice_line_ids, false);
      await recomputeDocument(env, m.id, 'date' in v ? dateArg(v.date, 'date') : null);
    } else if ('line_ids' in v) {
      for (const lv of parseCreateCommands(v.line_ids, 'line_ids')) await insertEntryLine(reg, env, m.id, lv);
      await checkBalanced(env, [m.id]);
      await refreshTotals(env, m.id);
    }
  }
  return true;
}

export async function postMoves(env: MoveEnv, idsArg: unknown): Promise<false> {
  for (const m of await loadMoves(env, ids(idsArg))) {
    if (m.state === 'posted') throw userError(`The entry ${m.name} (id ${m.id}) is already posted.`);
    if (m.state === 'cancel') throw userError('Only draft journal entries can be posted.');
    const { rows: count } = await env.db.query<{ n: number; tax: boolean }>(
      `SELECT count(*) FILTER (WHERE display_type NOT IN ('line_section', 'line_note'))::int AS n, bool_or(tax_line_id IS NOT NULL) AS tax FROM account_move_line WHERE move_id = $1`,
      [m.id],
    );
    if (!count[0]!.n) throw userError('You need to add a line before posting.');
    if (SALE.has(m.move_type) && !m.partner_id) throw userError("The field 'Customer' is required, please complete it to validate the Customer Invoice.");
    if (PURCHASE.has(m.move_type) && !m.partner_id) throw userError("The field 'Vendor' is required, please complete it to validate the Vendor Bill.");
    if (PURCHASE.has(m.move_type) && !m.invoice_date) throw userError('The Bill/Refund date is required to validate this document.');
    if (SALE.has(m.move_type) && !m.invoice_date) {
      await env.db.query('UPDATE account_move SET invoice_date = $2 WHERE id = $1', [m.id, isoFromDay(env.today)]);
      m.invoice_date = isoFromDay(env.today);
    }
    await checkBalanced(env, [m.id]);
    const { rows: total } = await env.db.query<{ amount_total: string }>('SELECT amount_total::text FROM account_move WHERE id = $1', [m.id]);
    if (m.move_type !== 'entry' && Number(total[0]!.amount_total) < 0) {
      throw userError('You cannot validate an invoice with a negative total amount. You should create a credit note instead. Use the action menu to transform it into a credit note or refund.');
    }
    // _post: a date inside a lock is moved to the first open date, not refused.
    const locks = locksOf(m);
    const withTax = Boolean(count[0]!.tax);
    let day = dayFromIso(m.date);
    if (violatedLockDates(day, locks, { adviser: env.adviser, hasTax: withTax }).length) {
      day = await accountingDay(env, { move_type: m.move_type, journal_id: m.journal_id, locks }, dayFromIso(m.invoice_date ?? m.date), withTax);
    }
    await env.db.query('SELECT id FROM account_journal WHERE id = $1 FOR UPDATE', [m.journal_id]);
    const { year, month } = ymd(day);
    const yearly = ['sale', 'bank', 'cash'].includes(m.journal_type);
    const lead = m.move_type.endsWith('refund') && m.refund_sequence ? 'R' : '';
    const prefix = yearly ? `${lead}${m.journal_code}/${year}/` : `${lead}${m.journal_code}/${year}/${String(month).padStart(2, '0')}/`;
    const { rows: last } = await env.db.query<{ n: number }>('SELECT coalesce(max(sequence_number), 0)::int AS n FROM account_move WHERE journal_id = $1 AND sequence_prefix = $2', [m.journal_id, prefix]);
    const number = last[0]!.n + 1;
    const name = prefix + String(number).padStart(yearly ? 5 : 4, '0');
    const date = isoFromDay(day);
    await env.db.query(
      `UPDATE account_move SET state = 'posted', name = $2, sequence_prefix = $3, sequence_number = $4, posted_before = true, date = $5,
              payment_reference = CASE WHEN move_type <> 'entry' THEN coalesce(payment_reference, $2) ELSE payment_reference END, write_uid = $6, write_date = $7 WHERE id = $1`,
      [m.id, name, prefix, number, date, env.uid, env.now],
    );
    await env.db.query(
      `UPDATE account_move_line SET parent_state = 'posted', move_name = $2, date = $3, name = CASE WHEN display_type = 'payment_term' AND coalesce(name, '') = '' THEN $2 ELSE name END,
              write_uid = $4, write_date = $5 WHERE move_id = $1`,
      [m.id, name, date, env.uid, env.now],
    );
    if (m.partner_id && m.move_type !== 'entry') await env.db.query(`UPDATE res_partner SET ${SALE.has(m.move_type) ? 'customer_rank = coalesce(customer_rank, 0)' : 'supplier_rank = coalesce(supplier_rank, 0)'} + 1 WHERE id = $1`, [m.partner_id]);
  }
  return false;
}

export async function draftMoves(env: MoveEnv, idsArg: unknown): Promise<null> {
  for (const m of await loadMoves(env, ids(idsArg))) {
    if (m.state === 'posted') await checkLocks(env, m);
    await setState(env, m.id, 'draft');
  }
  return null;
}

export async function cancelMoves(env: MoveEnv, idsArg: unknown): Promise<null> {
  for (const m of await loadMoves(env, ids(idsArg))) {
    if (m.state === 'posted') throw userError('You cannot cancel a posted entry: reset it to draft first.');
    await setState(env, m.id, 'cancel');
  }
  return null;
}

async function setState(env: MoveEnv, moveId: number, state: string): Promise<void> {
  await env.db.query('UPDATE account_move SET state = $2, write_uid = $3, write_date = $4 WHERE id = $1', [moveId, state, env.uid, env.now]);
  await env.db.query('UPDATE account_move_line SET parent_state = $2, write_uid = $3, write_date = $4 WHERE move_id = $1', [moveId, state, env.uid, env.now]);
}

export async function unlinkMoves(env: MoveEnv, idsArg: unknown): Promise<true> {
  const moves = await loadMoves(env, ids(idsArg));
  for (const m of moves) if (m.state === 'posted') throw userError('You cannot delete an entry which has been posted once.');
  const list = moves.map((m) => m.id);
  await env.db.query('DELETE FROM account_move_line WHERE move_id = ANY($1)', [list]);
  await env.db.query('DELETE FROM account_move WHERE id = ANY($1)', [list]);
  return true;
}
