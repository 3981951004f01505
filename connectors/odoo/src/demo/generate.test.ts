/**
 * The demo database on a real PostgreSQL: Odoo 17's tables, types and
 * comments; a year of consistent accounting for an EUR and a USD company
 * (every posted move balances, foreign documents at the day's rate,
 * reconciliations that add up, drafts and cancellations present, lock
 * dates set and tracked); a clean database passes every close check; one
 * seed always gives the same database.
 */
import { Client } from 'pg';
import { isAppError } from '@workbench/core';
import { bankVersusGl, changedAfterLock, duplicateBills, reconciliationErrors, sequenceGaps, subledgerGaps, suspenseItems, unbalancedMoves } from '../testing/ledger-checks';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { DEMO_TABLES } from './ddl';
import { generateOdooDemo, type DemoSummary } from './generate';

const LINES = 20_000;

/** One md5 per table over all its rows in id order: equal databases, equal checksums. */
async function checksums(db: Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of DEMO_TABLES) {
    const order = t.endsWith('_rel') ? '1' : 'id';
    const { rows } = await db.query<{ md5: string }>(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x.${order === '1' ? 'account_move_line_id, account_tax_id' : 'id'}), '')) AS md5 FROM ${t} x`);
    out[t] = rows[0]!.md5;
  }
  return out;
}

describe('generateOdooDemo', () => {
  let database: TestDatabase;
  let db: Client;
  let summary: DemoSummary;

  beforeAll(async () => {
    database = await createTestDatabase();
    summary = await generateOdooDemo({ connection: database.config, lines: LINES, seed: 42, year: 2025 });
    db = new Client(database.config);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await database?.[Symbol.asyncDispose]();
  });

  it("creates Odoo 17's tables: SQL types, NOT NULLs, comments, checks, keys and indexes", async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const col = (t: string, c: string) => rows.find((r) => r.table_name === t && r.column_name === c);
    expect(col('account_account', 'name')?.data_type).toBe('jsonb');
    expect(col('account_journal', 'name')?.data_type).toBe('jsonb');
    expect(col('account_account', 'company_id')).toMatchObject({ data_type: 'integer', is_nullable: 'NO' });
    expect(col('account_account', 'code')?.data_type).toBe('character varying');
    expect(col('account_move', 'move_type')).toMatchObject({ data_type: 'character varying', is_nullable: 'NO' });
    expect(col('account_move', 'amount_total')?.data_type).toBe('numeric');
    expect(col('account_move_line', 'debit')?.data_type).toBe('numeric');
    expect(col('account_move_line', 'move_id')).toMatchObject({ data_type: 'integer', is_nullable: 'NO' });
    expect(col('account_move_line', 'write_date')?.data_type).toBe('timestamp without time zone');
    expect(col('account_move_line', 'date')?.data_type).toBe('date');
    expect(col('account_bank_statement_line', 'amount_residual')?.data_type).toBe('double precision');
    expect(col('res_company', 'period_lock_date')?.data_type).toBe('date');
    expect(col('account_move_line', 'analytic_distribution')?.data_type).toBe('jsonb');

    const comment = async (sql: string) => (await db.query<{ c: string }>(sql)).rows[0]!.c;
    expect(await comment(`SELECT obj_description('account_move_line'::regclass, 'pg_class') AS c`)).toBe('Journal Item');
    expect(await comment(`SELECT col_description('account_move_line'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'account_move_line'::regclass AND attname = 'debit')) AS c`)).toBe('Debit');

    const constraints = (await db.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE conrelid = 'account_move_line'::regclass`)).rows.map((r) => r.conname);
    expect(constraints).toEqual(expect.arrayContaining(['account_move_line_pkey', 'account_move_line_check_credit_debit', 'account_move_line_check_amount_currency_balance_sign', 'account_move_line_move_id_fkey', 'account_move_line_account_id_fkey']));
    const fk = await db.query<{ convalidated: boolean; confdeltype: string }>(`SELECT convalidated, confdeltype FROM pg_constraint WHERE conname = 'account_move_line_move_id_fkey'`);
    expect(fk.rows[0]).toEqual({ convalidated: true, confdeltype: 'c' });
    const indexes = (await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)).rows.map((r) => r.indexname);
    expect(indexes).toEqual(expect.arrayContaining(['account_move_line__move_id_index', 'account_move_line_account_id_date_idx', 'account_move_line__unreconciled_index', 'account_move_unique_name', 'account_account_code_company_uniq']));
    const partial = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'account_move_line__full_reconcile_id_index'`);
    expect(partial.rows[0]!.indexdef).toMatch(/WHERE \(full_reconcile_id IS NOT NULL\)$/);
    // Serial ids continue after the loaded rows, as they would in Odoo.
    const { rows: seq } = await db.query<{ next: string; max: number }>(`SELECT nextval('account_move_id_seq')::text AS next, (SELECT max(id) FROM account_move) AS max`);
    expect(Number(seq[0]!.next)).toBe(seq[0]!.max + 1);
  });

  it('writes what the summary says, about the requested number of lines, over one year', async () => {
    for (const t of DEMO_TABLES) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
      expect({ t, n: rows[0]!.n }).toEqual({ t, n: summary.counts[t] });
    }
    expect(Math.abs(summary.counts.account_move_line! - LINES) / LINES).toBeLessThan(0.1);
    expect(summary.period).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    const { rows } = await db.query<{ lo: string; hi: string; months: number }>(`SELECT min(date)::text AS lo, max(date)::text AS hi, count(DISTINCT date_trunc('month', date))::int AS months FROM account_move`);
    expect(rows[0]!.lo >= '2025-01-01' && rows[0]!.hi <= '2025-12-31').toBe(true);
    expect(rows[0]!.months).toBe(12);
    expect(summary.faults).toEqual([]);
  });

  it('every posted move balances; each line has balance = debit - credit and its move’s state, date, journal and company', async () => {
    expect(await unbalancedMoves(db)).toEqual([]);
    const { rows } = await db.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM account_move_line l JOIN account_move m ON m.id = l.move_id
       WHERE l.balance <> l.debit - l.credit OR l.parent_state <> m.state OR l.date <> m.date OR l.journal_id <> m.journal_id OR l.company_id <> m.company_id
          OR l.move_name <> m.name OR (l.currency_id = l.company_currency_id AND l.amount_currency <> l.balance)`);
    expect(rows[0]!.n).toBe(0);
    // Invoice totals agree with their lines (Odoo's _compute_amount): the receivable/payable line carries the total.
    const totals = await db.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM account_move m JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
       WHERE m.move_type <> 'entry' AND (abs(l.amount_currency) <> m.amount_total OR abs(l.balance) <> abs(m.amount_total_signed))`);
    expect(totals.rows[0]!.n).toBe(0);
  });

  it('has an EUR and a USD company, and foreign-currency documents booked at the day’s rate', async () => {
    expect(summary.companies.map((c) => [c.name, c.currency])).toEqual([
      ['Workbench Europe SA', 'EUR'],
      ['Workbench Americas Inc.', 'USD'],
    ]);
    const { rows } = await db.query<{ company_id: number; foreign_docs: number; wrong: number }>(`
      SELECT l.company_id, count(DISTINCT m.id)::int AS foreign_docs,
             count(*) FILTER (WHERE l.balance <> round(l.amount_currency / r.rate, 2))::int AS wrong
        FROM account_move_line l JOIN account_move m ON m.id = l.move_id
        CROSS JOIN LATERAL (SELECT rate FROM res_currency_rate r WHERE r.currency_id = l.currency_id AND r.company_id = l.company_id AND r.name <= m.invoice_date ORDER BY r.name DESC LIMIT 1) r
       WHERE m.move_type IN ('out_invoice', 'in_invoice') AND l.display_type = 'product' AND l.currency_id <> l.company_currency_id
       GROUP BY l.company_id ORDER BY 1`);
    expect(rows).toEqual([expect.objectContaining({ company_id: 1, wrong: 0 }), expect.objectContaining({ company_id: 2, wrong: 0 })]);
    for (const r of rows) expect(r.foreign_docs).toBeGreaterThan(20);
    // Foreign payments that settle at another rate leave an exchange difference entry, linked from the full reconcile.
    const ex = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM account_full_reconcile f JOIN account_move m ON m.id = f.exchange_move_id JOIN account_journal j ON j.id = m.journal_id WHERE j.code = 'EXCH'`);
    expect(ex.rows[0]!.n).toBeGreaterThan(5);
  });

  it('reconciliations add up: residuals follow partials, full reconciles are settled, payment states match', async () => {
    expect(await reconciliationErrors(db)).toEqual([]);
    const { rows } = await db.query<{ payment_state: string; n: number }>(`SELECT payment_state, count(*)::int AS n FROM account_move WHERE move_type IN ('out_invoice', 'in_invoice') AND state = 'posted' GROUP BY 1`);
    const states = Object.fromEntries(rows.map((r) => [r.payment_state, r.n]));
    for (const s of ['paid', 'partial', 'not_paid', 'reversed']) expect(states[s]).toBeGreaterThan(0);
    const mismatch = await db.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM account_move m JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
       WHERE m.state = 'posted' AND ((m.payment_state IN ('paid', 'reversed') AND (l.amount_residual <> 0 OR l.full_reconcile_id IS NULL))
          OR (m.payment_state = 'not_paid' AND l.amount_residual <> l.balance) OR (m.payment_state = 'partial' AND (l.amount_residual = 0 OR l.amount_residual = l.balance)))`);
    expect(mismatch.rows[0]!.n).toBe(0);
    // Payments are matched by bank statement lines; unidentified receipts wait in the suspense account until they are identified, within their month.
    const st = await db.query<{ reconciled: number; open: number; identified: number; late: number }>(`
      SELECT count(*) FILTER (WHERE s.is_reconciled)::int AS reconciled, count(*) FILTER (WHERE NOT s.is_reconciled)::int AS open,
             count(*) FILTER (WHERE s.payment_ref LIKE 'Transfer ref %' AND s.write_date > s.create_date)::int AS identified,
             count(*) FILTER (WHERE s.payment_ref LIKE 'Transfer ref %' AND date_trunc('month', s.write_date) <> date_trunc('month', m.date))::int AS late
        FROM account_bank_statement_line s JOIN account_move m ON m.id = s.move_id`);
    expect(st.rows[0]!.reconciled).toBeGreaterThan(100);
    expect(st.rows[0]!.identified).toBeGreaterThan(0);
    expect(st.rows[0]!.late).toBe(0);
    expect(st.rows[0]!.open).toBe(0);
    expect(await suspenseItems(db)).toEqual([]);
  });

  it('has drafts and cancelled moves, unnumbered, which the posted-only contract leaves out', async () => {
    const { rows } = await db.query<{ state: string; n: number; named: number; lines: number }>(`
      SELECT m.state, count(DISTINCT m.id)::int AS n, count(DISTINCT m.id) FILTER (WHERE m.name <> '/')::int AS named, count(l.id)::int AS lines
        FROM account_move m JOIN account_move_line l ON l.move_id = m.id AND l.parent_state = m.state GROUP BY 1 ORDER BY 1`);
    const by = Object.fromEntries(rows.map((r) => [r.state, r]));
    expect(by.draft!.n).toBeGreaterThan(5);
    expect(by.cancel!.n).toBeGreaterThan(2);
    expect([by.draft!.named, by.cancel!.named]).toEqual([0, 0]);
    // PRD §6.1: GL extract = posted lines of the period.
    const extract = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM account_move_line WHERE date >= '2025-01-01' AND date <= '2025-12-31' AND parent_state = 'posted'`);
    expect(extract.rows[0]!.n).toBe(summary.counts.account_move_line! - by.draft!.lines - by.cancel!.lines);
  });

  it('sets lock dates (period locked to the end of October) and records when they were set', async () => {
    const { rows } = await db.query<{ id: number; period: string; fy: string; tax: string }>(`SELECT id, period_lock_date::text AS period, fiscalyear_lock_date::text AS fy, tax_lock_date::text AS tax FROM res_company ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, period: '2025-10-31', fy: '2024-12-31', tax: '2025-09-30' },
      { id: 2, period: '2025-10-31', fy: '2024-12-31', tax: '2025-09-30' },
    ]);
    const tracked = await db.query<{ res_id: number; at: string; new: string }>(`
      SELECT m.res_id, to_char(m.date, 'YYYY-MM-DD HH24:MI:SS') AS at, v.new_value_datetime::date::text AS new
        FROM mail_message m JOIN mail_tracking_value v ON v.mail_message_id = m.id JOIN ir_model_fields f ON f.id = v.field_id
       WHERE f.name = 'period_lock_date' AND m.model = 'res.company' ORDER BY m.date DESC LIMIT 2`);
    expect(tracked.rows.map((r) => r.new)).toEqual(['2025-10-31', '2025-10-31']);
    expect(tracked.rows.map((r) => r.at).sort()).toEqual(summary.companies.map((c) => c.lockSetAt).sort());
  });

  it('passes every close check when no fault is asked for', async () => {
    expect(await duplicateBills(db)).toEqual([]);
    expect(await sequenceGaps(db)).toEqual([]);
    expect(await subledgerGaps(db)).toEqual([]);
    expect(await changedAfterLock(db)).toEqual([]);
    expect(await bankVersusGl(db)).toEqual([]);
    expect(await suspenseItems(db)).toEqual([]);
  });

  it('refuses a database that is not empty', async () => {
    const err = await generateOdooDemo({ connection: database.url, lines: 1000, seed: 1, year: 2025 }).catch((e: unknown) => e);
    expect(isAppError(err, 'conflict')).toBe(true);
    expect((err as Error).message).toMatch(/^Cannot generate the Odoo demo: database "wb_odoo_test_\w+" is not empty \(18 tables\)$/);
  });

  it('is deterministic: the same seed and options give the same database, another seed another one', async () => {
    await using again = await createTestDatabase();
    await using other = await createTestDatabase();
    await generateOdooDemo({ connection: again.config, lines: LINES, seed: 42, year: 2025 });
    await generateOdooDemo({ connection: other.config, lines: LINES, seed: 43, year: 2025 });
    const clients = [new Client(again.config), new Client(other.config)];
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const [a, b, c] = [await checksums(db), await checksums(clients[0]!), await checksums(clients[1]!)];
      expect(b).toEqual(a);
      expect(c.account_move_line).not.toBe(a.account_move_line);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('an aborted run drops what it created and leaves the database empty', async () => {
    await using empty = await createTestDatabase();
    const err = await generateOdooDemo({ connection: empty.config, lines: 5000, signal: AbortSignal.abort(new Error('stop')) }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('stop');
    const c = new Client(empty.config);
    await c.connect();
    try {
      expect((await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0]).toEqual({ n: 0 });
    } finally {
      await c.end();
    }
  });

  it('validates its options before touching the database', async () => {
    const bad = (o: object) => generateOdooDemo({ connection: 'postgres://nobody@127.0.0.1:1/none', lines: 5000, ...o });
    await expect(bad({ lines: 10 })).rejects.toThrow(/lines must be an integer from 1000/);
    await expect(bad({ companies: 0 })).rejects.toThrow(/companies must be/);
    await expect(bad({ faults: ['nope'] })).rejects.toThrow(/unknown fault "nope"/);
    await expect(bad({ seed: -1 })).rejects.toThrow(/seed must be/);
  });
});
