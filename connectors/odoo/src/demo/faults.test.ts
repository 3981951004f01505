/**
 * Each seeded fault is injected once, recorded in the summary, and found
 * by the close check that looks for it exactly where the summary says
 * (and by no other check). The clean counterpart is generate.test.ts.
 */
import { Client } from 'pg';
import { bankVersusGl, changedAfterLock, duplicateBills, reconciliationErrors, sequenceGaps, subledgerGaps, suspenseItems, unbalancedMoves } from '../testing/ledger-checks';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { FAULT_KINDS, type InjectedFault } from './faults';
import { generateOdooDemo, type DemoSummary } from './generate';

type Of<K extends InjectedFault['kind']> = Extract<InjectedFault, { kind: K }>;

describe('seeded faults', () => {
  let database: TestDatabase;
  let db: Client;
  let summary: DemoSummary;
  const fault = <K extends InjectedFault['kind']>(kind: K): Of<K> => summary.faults.find((f) => f.kind === kind) as Of<K>;
  const monthOf = async (moveId: number) => (await db.query<{ m: number }>('SELECT extract(month FROM date)::int AS m FROM account_move WHERE id = $1', [moveId])).rows[0]!.m;

  beforeAll(async () => {
    database = await createTestDatabase();
    summary = await generateOdooDemo({ connection: database.config, lines: 20_000, seed: 7, year: 2025, faults: [...FAULT_KINDS] });
    db = new Client(database.config);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await database?.[Symbol.asyncDispose]();
  });

  it('injects each fault exactly once and records it', () => {
    expect(summary.faults.map((f) => f.kind)).toEqual([...FAULT_KINDS]);
    for (const f of summary.faults) expect(f.month).toBeGreaterThanOrEqual(1);
  });

  it('unbalanced_move: one posted move whose debits and credits differ', async () => {
    const f = fault('unbalanced_move');
    expect(await unbalancedMoves(db)).toEqual([{ moveId: f.moveId, debit: f.debit, credit: f.credit }]);
    expect(Number(f.debit) - Number(f.credit)).toBeCloseTo(Number(f.difference), 2);
    expect(await monthOf(f.moveId)).toBe(f.month);
  });

  it('subledger_mismatch: a receivable line without a partner; GL and partner balances differ by its amount', async () => {
    const f = fault('subledger_mismatch');
    const gaps = await subledgerGaps(db);
    expect(gaps).toEqual([expect.objectContaining({ accountId: f.accountId, lineIds: [f.lineId] })]);
    expect(Number(gaps[0]!.glBalance) - Number(gaps[0]!.partnerBalance)).toBeCloseTo(Number(f.amount), 2);
    expect(await monthOf(f.moveId)).toBe(f.month);
  });

  it('duplicate_bill: two posted vendor bills with the same partner, reference and total', async () => {
    const f = fault('duplicate_bill');
    expect(await duplicateBills(db)).toEqual([{ moveIds: f.moveIds, partnerId: f.partnerId, ref: f.ref, amountTotal: f.amountTotal }]);
    const { rows } = await db.query<{ name: string }>('SELECT name FROM account_move WHERE id = ANY($1) ORDER BY id', [f.moveIds]);
    expect(rows.map((r) => r.name)).toEqual(f.moveNames);
  });

  it('changed_after_lock: a posted entry in the locked period written after the lock was set (mail tracking)', async () => {
    const f = fault('changed_after_lock');
    const company = summary.companies.find((c) => c.id === f.companyId)!;
    expect(await changedAfterLock(db)).toEqual([{ moveId: f.moveId, lineIds: f.lineIds, writeDate: f.writeDate, lockSetAt: company.lockSetAt }]);
    expect(f.date <= company.lockDates.period_lock_date!).toBe(true);
    expect(f.writeDate > f.lockSetAt).toBe(true);
  });

  it('sequence_gap: one number missing from a journal’s posted sequence', async () => {
    const f = fault('sequence_gap');
    expect(await sequenceGaps(db)).toEqual([{ journalId: f.journalId, prefix: f.sequencePrefix, missing: f.missingNumber }]);
    const { rows } = await db.query('SELECT 1 FROM account_move WHERE name = $1 AND journal_id = $2', [f.missingName, f.journalId]);
    expect(rows).toEqual([]);
  });

  it('bank_line_missing_in_gl: a statement line whose move misses the bank account', async () => {
    const f = fault('bank_line_missing_in_gl');
    const found = await bankVersusGl(db);
    expect(found).toEqual([expect.objectContaining({ journalId: f.journalId, statementLineIds: [f.statementLineId] })]);
    expect(Number(found[0]!.statements) - Number(found[0]!.gl)).toBeCloseTo(Number(f.amount), 2);
    const { rows } = await db.query<{ account_id: number }>('SELECT account_id FROM account_move_line WHERE move_id = $1 AND balance > 0', [f.moveId]);
    expect(rows).toEqual([{ account_id: f.postedAccountId }]);
  });

  it('suspense_not_cleared: one receipt never identified, its line left on the suspense account', async () => {
    const f = fault('suspense_not_cleared');
    expect(await suspenseItems(db)).toEqual([{ lineId: f.lineId, moveId: f.moveId, statementLineId: f.statementLineId, accountId: f.accountId, balance: (-Number(f.amount)).toFixed(2) }]);
    const { rows } = await db.query<{ is_reconciled: boolean; amount: string }>('SELECT is_reconciled, amount::text FROM account_bank_statement_line WHERE id = $1', [f.statementLineId]);
    expect(rows).toEqual([{ is_reconciled: false, amount: f.amount }]);
    expect(await monthOf(f.moveId)).toBe(f.month);
  });

  it('faults leave the reconciliation bookkeeping intact', async () => {
    expect(await reconciliationErrors(db)).toEqual([]);
  });
});
