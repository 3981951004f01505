/**
 * The checks a month-end close runs on an Odoo 17 database, as SQL: the
 * evidence each seeded fault leaves (README.md, "Faults"). Tests assert
 * a clean demo database passes them all and that each fault is found, and
 * found exactly where the generator's summary says it put it.
 *
 * Every check reads posted entries only (`parent_state = 'posted'`), as
 * the data contract says; drafts and cancelled moves never count.
 */
import type { ClientBase } from 'pg';

/** Posted moves whose lines do not balance (Odoo refuses these unless check_move_validity is bypassed). */
export async function unbalancedMoves(db: ClientBase): Promise<{ moveId: number; debit: string; credit: string }[]> {
  const { rows } = await db.query<{ move_id: number; debit: string; credit: string }>(`
    SELECT l.move_id, sum(l.debit)::numeric(16,2)::text AS debit, sum(l.credit)::numeric(16,2)::text AS credit
      FROM account_move_line l JOIN res_company c ON c.id = l.company_id JOIN res_currency cur ON cur.id = c.currency_id
     WHERE l.parent_state = 'posted'
     GROUP BY l.move_id, cur.decimal_places
    HAVING round(sum(l.balance), cur.decimal_places) <> 0 OR sum(l.debit) <> sum(l.credit)
     ORDER BY 1`);
  return rows.map((r) => ({ moveId: r.move_id, debit: r.debit, credit: r.credit }));
}

/** Posted vendor bills sharing company, partner, reference and total (Odoo only warns). */
export async function duplicateBills(db: ClientBase): Promise<{ moveIds: number[]; partnerId: number; ref: string; amountTotal: string }[]> {
  const { rows } = await db.query<{ ids: number[]; partner_id: number; ref: string; amount_total: string }>(`
    SELECT array_agg(id ORDER BY id) AS ids, commercial_partner_id AS partner_id, ref, amount_total::numeric(16,2)::text AS amount_total
      FROM account_move
     WHERE state = 'posted' AND move_type = 'in_invoice' AND ref IS NOT NULL
     GROUP BY company_id, commercial_partner_id, ref, amount_total
    HAVING count(*) > 1
     ORDER BY 1`);
  return rows.map((r) => ({ moveIds: r.ids, partnerId: r.partner_id, ref: r.ref, amountTotal: r.amount_total }));
}

/** Numbers missing from a journal's posted sequence (per sequence_prefix, i.e. per journal and year or month). */
export async function sequenceGaps(db: ClientBase): Promise<{ journalId: number; prefix: string; missing: number }[]> {
  const { rows } = await db.query<{ journal_id: number; sequence_prefix: string; missing: number }>(`
    WITH s AS (
      SELECT journal_id, sequence_prefix, min(sequence_number) AS lo, max(sequence_number) AS hi, count(*) AS n
        FROM account_move WHERE state = 'posted' AND name <> '/'
       GROUP BY journal_id, sequence_prefix HAVING count(*) <> max(sequence_number) - min(sequence_number) + 1)
    SELECT s.journal_id, s.sequence_prefix, g AS missing
      FROM s CROSS JOIN LATERAL generate_series(s.lo, s.hi) g
     WHERE NOT EXISTS (SELECT 1 FROM account_move m WHERE m.journal_id = s.journal_id AND m.sequence_prefix = s.sequence_prefix AND m.sequence_number = g AND m.state = 'posted')
     ORDER BY 1, 2, 3`);
  return rows.map((r) => ({ journalId: r.journal_id, prefix: r.sequence_prefix, missing: r.missing }));
}

/**
 * Receivable/payable control accounts against their partner subledger:
 * posted lines with no partner are in the GL and in no partner's balance.
 */
export async function subledgerGaps(db: ClientBase): Promise<{ accountId: number; glBalance: string; partnerBalance: string; lineIds: number[] }[]> {
  const { rows } = await db.query<{ account_id: number; gl: string; partners: string; line_ids: number[] }>(`
    SELECT l.account_id, sum(l.balance)::numeric(16,2)::text AS gl,
           coalesce(sum(l.balance) FILTER (WHERE l.partner_id IS NOT NULL), 0)::numeric(16,2)::text AS partners,
           array_agg(l.id ORDER BY l.id) FILTER (WHERE l.partner_id IS NULL) AS line_ids
      FROM account_move_line l JOIN account_account a ON a.id = l.account_id
     WHERE l.parent_state = 'posted' AND a.account_type IN ('asset_receivable', 'liability_payable')
     GROUP BY l.account_id
    HAVING bool_or(l.partner_id IS NULL)
     ORDER BY 1`);
  return rows.map((r) => ({ accountId: r.account_id, glBalance: r.gl, partnerBalance: r.partners, lineIds: r.line_ids }));
}

/**
 * Posted journal items dated inside a company's locked period whose
 * write_date is later than the last change of a lock date (Odoo has no
 * lock timestamp; res.company's lock dates are tracked, so the evidence
 * is mail_tracking_value on mail_message). Lines on reconcilable accounts
 * are left out: reconciling an old invoice later legitimately rewrites
 * its receivable line (amount_residual, matching_number).
 */
export async function changedAfterLock(db: ClientBase): Promise<{ moveId: number; lineIds: number[]; writeDate: string; lockSetAt: string }[]> {
  const { rows } = await db.query<{ move_id: number; line_ids: number[]; write_date: string; lock_set_at: string }>(`
    WITH lock_set AS (
      SELECT m.res_id AS company_id, max(m.date) AS at
        FROM mail_message m JOIN mail_tracking_value v ON v.mail_message_id = m.id JOIN ir_model_fields f ON f.id = v.field_id
       WHERE m.model = 'res.company' AND f.model = 'res.company' AND f.name IN ('period_lock_date', 'fiscalyear_lock_date')
       GROUP BY m.res_id)
    SELECT l.move_id, array_agg(l.id ORDER BY l.id) AS line_ids, to_char(max(l.write_date), 'YYYY-MM-DD HH24:MI:SS') AS write_date, to_char(max(s.at), 'YYYY-MM-DD HH24:MI:SS') AS lock_set_at
      FROM account_move_line l
      JOIN res_company c ON c.id = l.company_id
      JOIN lock_set s ON s.company_id = l.company_id
      JOIN account_account a ON a.id = l.account_id
     WHERE l.parent_state = 'posted' AND NOT a.reconcile
       AND l.date <= greatest(c.period_lock_date, c.fiscalyear_lock_date)
       AND l.write_date > s.at
     GROUP BY l.move_id ORDER BY 1`);
  return rows.map((r) => ({ moveId: r.move_id, lineIds: r.line_ids, writeDate: r.write_date, lockSetAt: r.lock_set_at }));
}

/** Bank and cash journals whose GL (their default account) differs from the sum of their statement lines, with the lines whose move misses that account. */
export async function bankVersusGl(db: ClientBase): Promise<{ journalId: number; gl: string; statements: string; statementLineIds: number[] }[]> {
  const { rows } = await db.query<{ journal_id: number; gl: string; statements: string; st_ids: number[] | null }>(`
    SELECT j.id AS journal_id,
           (SELECT coalesce(sum(l.balance), 0) FROM account_move_line l WHERE l.account_id = j.default_account_id AND l.parent_state = 'posted')::numeric(16,2)::text AS gl,
           (SELECT coalesce(sum(s.amount), 0) FROM account_bank_statement_line s JOIN account_move m ON m.id = s.move_id WHERE m.journal_id = j.id AND m.state = 'posted')::numeric(16,2)::text AS statements,
           (SELECT array_agg(s.id ORDER BY s.id) FROM account_bank_statement_line s JOIN account_move m ON m.id = s.move_id
             WHERE m.journal_id = j.id AND m.state = 'posted'
               AND NOT EXISTS (SELECT 1 FROM account_move_line l WHERE l.move_id = m.id AND l.account_id = j.default_account_id)) AS st_ids
      FROM account_journal j WHERE j.type IN ('bank', 'cash') ORDER BY 1`);
  return rows.filter((r) => r.gl !== r.statements || r.st_ids).map((r) => ({ journalId: r.journal_id, gl: r.gl, statements: r.statements, statementLineIds: r.st_ids ?? [] }));
}

/**
 * Posted lines still on a bank or cash journal's suspense account, with the
 * statement line they belong to: a receipt nobody identified. At a month
 * end the suspense accounts should be at zero.
 */
export async function suspenseItems(db: ClientBase): Promise<{ lineId: number; moveId: number; statementLineId: number | null; accountId: number; balance: string }[]> {
  const { rows } = await db.query<{ id: number; move_id: number; st_id: number | null; account_id: number; balance: string }>(`
    SELECT l.id, l.move_id, s.id AS st_id, l.account_id, l.balance::numeric(16,2)::text AS balance
      FROM account_move_line l LEFT JOIN account_bank_statement_line s ON s.move_id = l.move_id
     WHERE l.parent_state = 'posted' AND l.account_id IN (SELECT suspense_account_id FROM account_journal WHERE suspense_account_id IS NOT NULL)
     ORDER BY l.id`);
  return rows.map((r) => ({ lineId: r.id, moveId: r.move_id, statementLineId: r.st_id, accountId: r.account_id, balance: r.balance }));
}

/**
 * Reconciliation bookkeeping: on lines that carry a residual, residual =
 * balance - partials where the line is the debit + partials where it is
 * the credit, and partials never exceed the line; a full reconcile's lines
 * are all settled.
 */
export async function reconciliationErrors(db: ClientBase): Promise<{ lineId: number; problem: string }[]> {
  const { rows } = await db.query<{ id: number; problem: string }>(`
    WITH p AS (
      SELECT line, sum(amount) AS amount, sum(signed) AS signed FROM (
        SELECT debit_move_id AS line, amount, -amount AS signed FROM account_partial_reconcile
        UNION ALL SELECT credit_move_id, amount, amount FROM account_partial_reconcile) x GROUP BY line)
    SELECT l.id, CASE WHEN coalesce(p.amount, 0) > abs(l.balance) THEN 'partials exceed the line'
                      WHEN l.full_reconcile_id IS NOT NULL AND (l.amount_residual <> 0 OR NOT l.reconciled) THEN 'fully reconciled but open'
                      ELSE 'residual does not match partials' END AS problem
      FROM account_move_line l JOIN account_account a ON a.id = l.account_id LEFT JOIN p ON p.line = l.id
     WHERE (a.reconcile OR a.account_type IN ('asset_cash', 'liability_credit_card'))
       AND (coalesce(p.amount, 0) > abs(l.balance)
            OR l.amount_residual <> l.balance + coalesce(p.signed, 0)
            OR (l.full_reconcile_id IS NOT NULL AND (l.amount_residual <> 0 OR NOT l.reconciled)))
     ORDER BY 1 LIMIT 100`);
  return rows.map((r) => ({ lineId: r.id, problem: r.problem }));
}
