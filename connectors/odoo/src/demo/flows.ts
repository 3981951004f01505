/**
 * A year of business, one day at a time: customer invoices and vendor
 * bills (with tax lines, foreign currencies, drafts and cancellations),
 * receipts, their settlement (settlement.ts), bank statement lines
 * (salaries, fees, transfers to the cash box, unidentified receipts held
 * in the suspense account until identified within their month), monthly payroll accruals and depreciation,
 * and the seeded faults. Moves are written in date order, so sequence
 * numbers rise with dates as Odoo's do.
 */
import { abortError } from '@workbench/core';
import { accountingDate, endOfMonth, isoFromDay, isWeekday, ymd } from '../accounting-date';
import { EXPENSE_ROLES, INCOME_ROLES, type AccountRole } from './chart';
import type { FaultKind, InjectedFault, PlannedFault } from './faults';
import { MOVE_NAME, money, timestamp, type Ledger, type LineIn, type MoveType } from './ledger';
import type { Rng } from './rng';
import { docLineState, emitPayment, emitReversal, emitStatement, nextWeekday, planSettlement, workTs, type Doc, type PlanKind, type SettlementContext, type SettlementEvent } from './settlement';
import { locksOn, toCompany, type Company, type Partner, type World } from './world';

interface DocSpec {
  type: Exclude<MoveType, 'entry' | 'out_refund' | 'in_refund'>;
  partner: Partner;
  currencyId: number;
  invoiceDate: number;
  ref: string | null;
  products: { account: AccountRole; label: string; qty: number; price: number; taxed: boolean }[];
  note: boolean;
  state: 'draft' | 'posted' | 'cancel';
}

type Event = SettlementEvent | { kind: 'duplicate'; day: number; company: Company; spec: DocSpec; original: { id: number; name: string } };

export interface StatementRow {
  id: number;
  name: string;
  day: number;
  journalId: number;
  companyId: number;
  balanceStart: number;
  balanceEnd: number;
  ts: number;
}

const SALE_LABELS: Record<string, readonly string[]> = {
  productSales: ['Annual license', 'Hardware kit', 'Spare parts', 'Starter bundle', 'Premium subscription'],
  services: ['Consulting services', 'Implementation', 'Training day', 'Support plan', 'Custom development'],
};
const PURCHASE_LABELS: Record<string, readonly string[]> = {
  expenses: ['Office supplies', 'Courier services', 'Catering', 'Cleaning services', 'Printing'],
  software: ['Cloud hosting', 'SaaS subscription', 'Laptop', 'Software licenses', 'Domain renewal'],
  travel: ['Flight tickets', 'Hotel stay', 'Train tickets', 'Car rental'],
  rent: ['Office rent'],
};
const DEPARTMENTS = ['Sales', 'Engineering', 'Administration'] as const;

export class DemoFlows implements SettlementContext {
  private readonly buckets: Event[][];
  private readonly statements = new Map<number, { row: StatementRow; count: number; total: number }>();
  private nextStatementId = 1;
  private readonly accrued = new Map<number, number>();
  readonly injected: InjectedFault[] = [];

  constructor(
    readonly world: World,
    readonly ledger: Ledger,
    readonly rng: Rng,
    private readonly faults: readonly PlannedFault[],
    /** Documents per weekday per company. */
    private readonly docsPerDay: number,
  ) {
    this.buckets = Array.from({ length: world.endDay - world.startDay + 1 }, () => []);
  }

  schedule(d: number, e: Event): void {
    if (d <= this.world.endDay) this.buckets[d - this.world.startDay]!.push(e);
  }

  statementFor(company: Company, role: 'bank' | 'cash', d: number, amount: number): { id: number; sequence: number } {
    const j = company.journal[role];
    const { month } = ymd(d);
    const key = j.id * 100 + month;
    let st = this.statements.get(key);
    if (!st) {
      const last = endOfMonth(d);
      st = { row: { id: this.nextStatementId++, name: `${j.code} Statement ${isoFromDay(d).slice(0, 7).replace('-', '/')}`, day: last, journalId: j.id, companyId: company.id, balanceStart: 0, balanceEnd: 0, ts: last * 86400 + 20 * 3600 }, count: 0, total: 0 };
      this.statements.set(key, st);
    }
    st.count += 1;
    st.total += amount;
    return { id: st.row.id, sequence: st.count };
  }

  /** Monthly statements with running balances, in journal and date order. */
  statementRows(): StatementRow[] {
    const byJournal = new Map<number, { row: StatementRow; total: number }[]>();
    for (const st of this.statements.values()) byJournal.set(st.row.journalId, [...(byJournal.get(st.row.journalId) ?? []), st]);
    const out: StatementRow[] = [];
    for (const list of byJournal.values()) {
      let balance = 0;
      for (const st of list.sort((a, b) => a.row.day - b.row.day)) {
        out.push({ ...st.row, balanceStart: balance, balanceEnd: balance + st.total });
        balance += st.total;
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async run(signal?: AbortSignal): Promise<void> {
    const { startDay, endDay, companies } = this.world;
    for (let d = startDay; d <= endDay; d++) {
      if (signal?.aborted) throw abortError(signal, 'generate the Odoo demo database');
      for (const f of this.faults) if (f.kind === 'sequence_gap' && f.day === d) this.ledger.skipNextNumber(companies[f.companyIndex]!.journal.sale.id, `INV/${this.world.year}/`);
      const bucket = this.buckets[d - startDay]!;
      let cursor = 0;
      const drain = () => {
        for (; cursor < bucket.length; cursor++) this.handle(bucket[cursor]!);
      };
      drain();
      for (const c of companies) this.companyDay(c, d);
      drain();
      this.buckets[d - startDay] = [];
      await this.ledger.maybeFlush();
    }
    const gap = this.faults.find((f) => f.kind === 'sequence_gap');
    const missing = this.ledger.gapResult();
    if (gap && missing) {
      const c = companies[gap.companyIndex]!;
      this.injected.push({ kind: 'sequence_gap', companyId: c.id, month: ymd(missing.day).month, journalId: c.journal.sale.id, sequencePrefix: `INV/${this.world.year}/`, missingNumber: missing.number, missingName: missing.name });
    }
  }

  private handle(e: Event): void {
    if (e.kind === 'payment') emitPayment(this, e.doc, e.index);
    else if (e.kind === 'statement') emitStatement(this, e.st);
    else if (e.kind === 'reversal') emitReversal(this, e.doc);
    else {
      const copy = this.emitDoc(e.company, e.day, e.spec, 'open');
      this.injected.push({
        kind: 'duplicate_bill', companyId: e.company.id, month: ymd(e.spec.invoiceDate).month, moveIds: [e.original.id, copy.moveId], moveNames: [e.original.name, copy.name], partnerId: e.spec.partner.id,
        ref: e.spec.ref!, amountTotal: money(copy.A),
      });
    }
  }

  private fault(kind: FaultKind, c: Company, d: number): PlannedFault | undefined {
    return this.faults.find((f) => f.kind === kind && f.companyIndex === c.index && f.day === d);
  }

  private companyDay(c: Company, d: number): void {
    const rng = this.rng;
    if (!isWeekday(d)) return;
    const n = Math.floor(this.docsPerDay * (0.6 + 0.8 * rng.next()) + rng.next());
    for (let i = 0; i < n; i++) {
      const r = rng.next();
      const type = r < 0.47 ? 'out_invoice' : r < 0.94 ? 'in_invoice' : r < 0.97 ? 'out_receipt' : 'in_receipt';
      this.emitDoc(c, d, this.randomSpec(c, d, type));
    }
    const unknown = Math.floor(0.05 + this.docsPerDay * 0.012 + rng.next());
    for (let i = 0; i < unknown; i++) this.unidentifiedReceipt(c, d, null);
    if (rng.chance(0.1)) this.bankLine(c, 'cash', d, -Math.round(rng.logUniform(8, 150) * 100), rng.pick(['Taxi', 'Coffee supplies', 'Stamps', 'Parking']), c.account[rng.pick(['travel', 'expenses'] as const)]);
    const { year, month, day } = ymd(d);
    const first = (n: number) => nextWeekday(d - day + n) === d;
    if (first(5) && (this.accrued.get(c.id) ?? 0) > 0) {
      this.bankLine(c, 'bank', d, -this.accrued.get(c.id)!, `Salaries ${month === 1 ? 12 : month - 1}/${month === 1 ? year - 1 : year}`, c.account.salariesPayable);
      this.accrued.set(c.id, 0);
    }
    if (first(15)) {
      this.bankLine(c, 'bank', d, -Math.round(rng.logUniform(15, 60) * 100), 'Bank fees', c.account.bankFees);
      this.cashTopUp(c, d);
    }
    let last = endOfMonth(d);
    while (!isWeekday(last)) last--;
    if (last === d) {
      this.payroll(c, d);
      this.depreciation(c, d);
    }
    if (this.fault('subledger_mismatch', c, d)) this.subledgerMismatch(c, d);
    if (this.fault('bank_line_missing_in_gl', c, d)) this.unidentifiedReceipt(c, d, 'bank_line_missing_in_gl');
    if (this.fault('suspense_not_cleared', c, d)) this.unidentifiedReceipt(c, d, 'suspense_not_cleared');
    if (this.fault('duplicate_bill', c, d)) {
      const vendor = this.world.vendors.find((p) => p.currency === c.currency.name) ?? this.world.vendors[0]!;
      const spec = { ...this.randomSpec(c, d, 'in_invoice'), partner: vendor, currencyId: c.currency.id, state: 'posted' as const };
      spec.ref = `${vendor.refPrefix}${this.world.year}-${vendor.refCounter++}`;
      const doc = this.emitDoc(c, d, spec);
      const original = { id: doc.moveId, name: doc.name };
      const day = nextWeekday(d + rng.int(1, 6));
      this.schedule(day, { kind: 'duplicate', day, company: c, spec, original });
    }
  }

  private randomSpec(c: Company, d: number, type: DocSpec['type']): DocSpec {
    const rng = this.rng;
    const sale = type.startsWith('out');
    const pool = sale ? this.world.customers : this.world.vendors;
    // A few partners get most of the business.
    const partner = pool[Math.floor(pool.length * rng.next() ** 2)]!;
    const foreign = c.foreign.find((f) => f.name === partner.currency);
    const currencyId = foreign && rng.chance(0.35) ? foreign.id : c.currency.id;
    const lag = sale ? 0 : Math.min(d - this.world.startDay, Math.floor(rng.next() ** 2 * 12));
    const count = 1 + Math.floor(rng.next() ** 1.7 * 4);
    const products: DocSpec['products'] = [];
    for (let i = 0; i < count; i++) {
      const account = rng.pick(sale ? INCOME_ROLES : EXPENSE_ROLES);
      products.push({ account, label: rng.pick((sale ? SALE_LABELS : PURCHASE_LABELS)[account]!), qty: rng.chance(0.5) ? 1 : rng.int(2, 12), price: Math.round(rng.logUniform(15, 4000) * 100), taxed: rng.chance(0.85) });
    }
    const r = rng.next();
    const receipt = type.endsWith('receipt');
    return {
      type,
      partner,
      currencyId,
      invoiceDate: d - lag,
      ref: receipt ? null : sale ? (rng.chance(0.3) ? `PO ${rng.int(10000, 99999)}` : null) : `${partner.refPrefix}${this.world.year}-${partner.refCounter++}`,
      products,
      note: rng.chance(0.03),
      state: receipt || r >= 0.03 ? 'posted' : r < 0.02 ? 'draft' : 'cancel',
    };
  }

  /** Write one customer/vendor document and plan its settlement. */
  private emitDoc(c: Company, d: number, spec: DocSpec, forceKind?: PlanKind): Doc {
    const rng = this.rng;
    const world = this.world;
    const sale = spec.type.startsWith('out');
    const s: 1 | -1 = sale ? 1 : -1;
    const tax = sale ? c.saleTax : c.purchaseTax;
    const hasTax = spec.products.some((p) => p.taxed);
    const date = sale ? spec.invoiceDate : accountingDate({ invoiceDay: spec.invoiceDate, today: d, saleDocument: false, hasTax, adviser: false, locks: locksOn(c, d), sequenceReset: 'month' });
    const due = spec.invoiceDate + (spec.type.endsWith('receipt') ? 0 : spec.partner.terms);
    const conv = (cents: number) => toCompany(world, c, spec.currencyId, cents, spec.invoiceDate);
    const lines: LineIn[] = [];
    let A = 0;
    let taxCur = 0;
    let taxBase = 0;
    for (const p of spec.products) {
      const sub = p.qty * p.price;
      const t = p.taxed ? Math.round((sub * tax.rate) / 100) : 0;
      A += sub + t;
      taxCur += t;
      if (p.taxed) taxBase += conv(sub);
      lines.push({
        account: c.account[p.account], partner: spec.partner.id, name: p.label, displayType: 'product', balance: -s * conv(sub), amountCurrency: -s * sub, currencyId: spec.currencyId,
        quantity: p.qty, priceUnit: p.price, priceSubtotal: sub, priceTotal: sub + t, taxIds: p.taxed ? [tax.id] : undefined,
      });
    }
    if (taxCur) {
      lines.push({ account: sale ? c.account.taxReceived : c.account.taxPaid, partner: spec.partner.id, name: tax.name, displayType: 'tax', balance: -s * conv(taxCur), amountCurrency: -s * taxCur, currencyId: spec.currencyId, taxLineId: tax.id, taxBase: -s * taxBase });
    }
    if (spec.note) lines.push({ account: null, partner: null, name: `Payment terms: ${spec.partner.terms} days`, displayType: 'line_note', balance: 0, amountCurrency: 0, currencyId: spec.currencyId });
    const B = s * -lines.reduce((sum, l) => sum + l.balance, 0);
    const moveId = this.ledger.allocMove();
    const arLine = this.ledger.peekLine() + lines.length;
    const createTs = workTs(rng, d);
    const base = { company: c, moveId, name: '', moveType: spec.type, arLine, partner: spec.partner, currencyId: spec.currencyId, s, A, B, date, createTs };
    const plan = spec.state === 'posted' ? planSettlement(this, base, ...this.chooseKind(spec, d, due, forceKind)) : planSettlement(this, base, 'open', 0, 0);
    const doc: Doc = { ...base, plan };
    const arAccount = sale ? c.account.receivable : c.account.payable;
    lines.push({ account: arAccount, partner: spec.partner.id, name: MOVE_NAME, displayType: 'payment_term', balance: s * B, amountCurrency: s * A, currencyId: spec.currencyId, dateMaturity: due, ...docLineState(doc, plan) });
    const move = this.ledger.emitMove(
      {
        companyId: c.id, companyCurrencyId: c.currency.id, journal: sale ? c.journal.sale : c.journal.purchase, moveType: spec.type, state: spec.state, date, invoiceDate: spec.invoiceDate,
        invoiceDateDue: due, ref: spec.ref, partnerId: spec.partner.id, currencyId: spec.currencyId, paymentState: plan.paymentState, createTs, writeTs: plan.lastTs ?? createTs, lines,
      },
      moveId,
    );
    doc.name = move.name;
    if (plan.reversal) {
      doc.lines = lines;
      this.schedule(plan.reversal.day, { kind: 'reversal', doc });
    }
    plan.payments.forEach((p, index) => this.schedule(p.day, { kind: 'payment', doc, index }));
    return doc;
  }

  private chooseKind(spec: DocSpec, d: number, due: number, force?: PlanKind): [PlanKind, number, number] {
    const rng = this.rng;
    if (force) return [force, 0, 0];
    if (spec.type.endsWith('receipt')) return ['full', d, d];
    const r = rng.next();
    if (spec.type === 'out_invoice') {
      const p = spec.partner;
      if (r < 0.03) return ['reversal', d + rng.int(3, 25), 0];
      if (rng.chance(p.defaultRisk)) return ['open', 0, 0];
      if (r < 0.13) return ['two', d + Math.round(p.payDays / 2), d + p.payDays + rng.int(5, 20)];
      if (r < 0.18) return ['partial', d + p.payDays + rng.int(-5, 10), 0];
      return ['full', Math.max(d, d + p.payDays + Math.round(rng.normal() * 7)), 0];
    }
    if (r < 0.02) return ['reversal', d + rng.int(5, 20), 0];
    if (r < 0.06) return ['open', 0, 0];
    if (r < 0.14) return ['two', Math.max(d, due - 10), Math.max(d + 1, due + 10)];
    return ['full', Math.max(d, due + rng.int(-5, 3)), 0];
  }

  /** A bank/cash statement line booked straight against `counterpart` (reconciled), or left in the suspense account. */
  private bankLine(c: Company, role: 'bank' | 'cash', d: number, amount: number, label: string, counterpart: number | null, opts: { liquidityAccount?: number; partnerId?: number | null; reconcileWith?: { fullId: number; matching: string }; writeTs?: number } = {}) {
    const ledger = this.ledger;
    const j = c.journal[role];
    const stId = ledger.allocStatementLine();
    const ts = workTs(this.rng, d);
    const statement = this.statementFor(c, role, d, amount);
    const other = counterpart ?? c.account.suspense;
    const move = ledger.emitMove({
      companyId: c.id, companyCurrencyId: c.currency.id, journal: j, moveType: 'entry', state: 'posted', date: d, partnerId: opts.partnerId ?? null, currencyId: c.currency.id, statementLineId: stId, createTs: ts, writeTs: opts.writeTs,
      lines: [
        { account: opts.liquidityAccount ?? j.defaultAccountId!, partner: opts.partnerId ?? null, name: label, displayType: 'product', balance: amount, amountCurrency: amount, currencyId: c.currency.id },
        {
          account: other, partner: opts.partnerId ?? null, name: label, displayType: 'product', balance: -amount, amountCurrency: -amount, currencyId: c.currency.id, writeTs: opts.writeTs,
          ...(opts.reconcileWith ? { residual: 0, residualCurrency: 0, reconciled: true, fullReconcileId: opts.reconcileWith.fullId, matching: opts.reconcileWith.matching } : {}),
        },
      ],
    });
    ledger.emitStatementLine({
      id: stId, moveId: move.id, statementId: statement.id, sequence: statement.sequence, paymentRef: label, amount, amountCurrency: null, foreignCurrencyId: null, residual: counterpart === null ? amount : 0,
      currencyId: c.currency.id, partnerId: opts.partnerId ?? null, reconciled: counterpart !== null, ts, writeTs: opts.writeTs,
    });
    return { stId, move, ts };
  }

  /**
   * A transfer nobody recognises at first: booked to the suspense account,
   * then identified (a direct sale of services) and reconciled before its
   * month ends, as a close requires; Odoo's reconciliation rewrites the
   * suspense line into the counterpart, so the line ends on that account,
   * written when it was identified. Seeded faults: the receipt never
   * identified (left in suspense), or its move booking the liquidity
   * transfer account instead of the bank's.
   */
  private unidentifiedReceipt(c: Company, d: number, fault: 'bank_line_missing_in_gl' | 'suspense_not_cleared' | null): void {
    const amount = Math.round(this.rng.logUniform(50, 3000) * 100);
    const label = `Transfer ref ${this.rng.int(100000, 999999)}`;
    if (fault === 'suspense_not_cleared') {
      const r = this.bankLine(c, 'bank', d, amount, label, null);
      this.injected.push({ kind: 'suspense_not_cleared', companyId: c.id, month: ymd(d).month, statementLineId: r.stId, moveId: r.move.id, lineId: r.move.lineIds[1]!, journalId: c.journal.bank.id, accountId: c.account.suspense, amount: money(amount) });
      return;
    }
    // Identified a few days later (no random draw: the demo's other data stays as it was), by the month's last weekday.
    let lastWeekday = endOfMonth(d);
    while (!isWeekday(lastWeekday)) lastWeekday--;
    const identified = Math.min(Math.max(nextWeekday(d + 1 + (amount % 6)), d), lastWeekday);
    const writeTs = Math.max(identified * 86400 + 15 * 3600 + (amount % 3600), d * 86400 + 17 * 3600);
    if (fault === null) {
      this.bankLine(c, 'bank', d, amount, label, c.account.services, { writeTs });
      return;
    }
    // The bank line's own move books the transfer account instead of the bank account: the bank's GL misses it.
    const r = this.bankLine(c, 'bank', d, amount, label, c.account.services, { liquidityAccount: c.account.transfer, writeTs });
    this.injected.push({ kind: 'bank_line_missing_in_gl', companyId: c.id, month: ymd(d).month, statementLineId: r.stId, moveId: r.move.id, journalId: c.journal.bank.id, amount: money(amount), expectedAccountId: c.account.bank, postedAccountId: c.account.transfer });
  }

  /** Bank to cash box: two statement lines whose transfer-account lines are matched together. */
  private cashTopUp(c: Company, d: number): void {
    const fullId = this.ledger.allocFull();
    const partialId = this.ledger.allocPartial();
    const amount = 50_000;
    const match = { fullId, matching: String(fullId) };
    const out = this.bankLine(c, 'bank', d, -amount, 'Cash withdrawal', c.account.transfer, { reconcileWith: match });
    const inn = this.bankLine(c, 'cash', d, amount, 'Cash from bank', c.account.transfer, { reconcileWith: match });
    const ts = Math.max(out.ts, inn.ts);
    this.ledger.emitPartial({ id: partialId, debitLine: out.move.lineIds[1]!, creditLine: inn.move.lineIds[1]!, debitCurrencyId: c.currency.id, creditCurrencyId: c.currency.id, amount, debitAmountCurrency: amount, creditAmountCurrency: amount, fullReconcileId: fullId, exchangeMoveId: null, companyId: c.id, maxDate: d, ts });
    this.ledger.emitFull(fullId, null, ts);
  }

  private misc(c: Company, d: number, ref: string, lines: LineIn[], writeTs?: number) {
    const createTs = d * 86400 + 17 * 3600 + c.index * 60;
    return this.ledger.emitMove({ companyId: c.id, companyCurrencyId: c.currency.id, journal: c.journal.misc, moveType: 'entry', state: 'posted', date: d, ref, currencyId: c.currency.id, createTs, writeTs, lines: writeTs ? lines.map((l) => ({ ...l, writeTs })) : lines });
  }

  private payroll(c: Company, d: number): void {
    const { month, year } = ymd(d);
    const cur = c.currency.id;
    const amounts = DEPARTMENTS.map(() => Math.round(this.rng.logUniform(18_000, 45_000)) * 100);
    const total = amounts.reduce((a, b) => a + b, 0);
    const lines: LineIn[] = DEPARTMENTS.map((dept, i) => ({ account: c.account.salaries, partner: null, name: `Salaries ${month}/${year} - ${dept}`, displayType: 'product', balance: amounts[i]!, amountCurrency: amounts[i]!, currencyId: cur }));
    lines.push({ account: c.account.salariesPayable, partner: null, name: `Salaries ${month}/${year}`, displayType: 'product', balance: -total, amountCurrency: -total, currencyId: cur });
    const fault = this.fault('unbalanced_move', c, d);
    const extra = fault ? Math.round(this.rng.logUniform(50, 900)) * 100 : 0;
    if (fault) {
      lines[0] = { ...lines[0]!, balance: lines[0]!.balance + extra, amountCurrency: lines[0]!.amountCurrency + extra };
    }
    const move = this.misc(c, d, `Payroll ${month}/${year}`, lines);
    this.accrued.set(c.id, total);
    if (fault) {
      this.injected.push({ kind: 'unbalanced_move', companyId: c.id, month, moveId: move.id, moveName: move.name, journalId: c.journal.misc.id, debit: money(total + extra), credit: money(total), difference: money(extra) });
    }
  }

  private depreciation(c: Company, d: number): void {
    const { month, year } = ymd(d);
    const amount = 125_000 + c.index * 20_000;
    const fault = this.fault('changed_after_lock', c, d);
    // Edited weeks after the lock that covers its date was set: only the write date tells.
    const writeTs = fault ? c.lockSetTs + this.rng.int(2, 25) * 86400 + this.rng.int(0, 8 * 3600) : undefined;
    const label = `Depreciation ${month}/${year}${fault ? ' (corrected)' : ''}`;
    const move = this.misc(
      c,
      d,
      `Depreciation ${month}/${year}`,
      [
        { account: c.account.depreciation, partner: null, name: label, displayType: 'product', balance: amount, amountCurrency: amount, currencyId: c.currency.id },
        { account: c.account.depreciationAcc, partner: null, name: label, displayType: 'product', balance: -amount, amountCurrency: -amount, currencyId: c.currency.id },
      ],
      writeTs,
    );
    if (fault) {
      this.injected.push({
        kind: 'changed_after_lock', companyId: c.id, month, moveId: move.id, moveName: move.name, lineIds: move.lineIds, date: isoFromDay(d), lockDate: isoFromDay(c.locks.period!),
        lockSetAt: timestamp(c.lockSetTs), writeDate: timestamp(writeTs!),
      });
    }
  }

  /** A manual entry on the receivable control account with no partner: in the GL, in no partner's subledger. */
  private subledgerMismatch(c: Company, d: number): void {
    const amount = Math.round(this.rng.logUniform(500, 5000)) * 100;
    const cur = c.currency.id;
    const move = this.misc(c, d, 'Revenue adjustment', [
      { account: c.account.receivable, partner: null, name: 'Revenue adjustment', displayType: 'product', balance: amount, amountCurrency: amount, currencyId: cur },
      { account: c.account.productSales, partner: null, name: 'Revenue adjustment', displayType: 'product', balance: -amount, amountCurrency: -amount, currencyId: cur },
    ]);
    this.injected.push({
      kind: 'subledger_mismatch', companyId: c.id, month: ymd(d).month, moveId: move.id, moveName: move.name, lineId: move.lineIds[0]!, accountId: c.account.receivable, accountCode: '121000', amount: money(amount),
      evidence: 'a posted receivable line without a partner: the receivable account balance exceeds the sum of the partner balances (aged receivable) by this amount',
    });
  }
}
