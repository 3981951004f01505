/**
 * How a document is settled, Odoo 17 style: a payment (entry in the bank
 * journal: outstanding account against receivable/payable), reconciled
 * with the document line by a partial; when the document is settled in
 * full, a full reconcile (and, for a foreign currency paid at another
 * rate, an exchange difference move in the EXCH journal). The payment's
 * outstanding line is matched later by a bank statement line, whose move
 * books the bank account. A credit note can reverse a document instead.
 *
 * The whole settlement is planned when the document is created (the
 * demo knows its future), so the document's lines are written once, in
 * their final state; the moves that settle it are written on their own
 * dates as the day loop reaches them.
 */
import { isWeekday } from '../accounting-date';
import type { Ledger, LineIn, MoveType } from './ledger';
import type { Rng } from './rng';
import { toCompany, type Company, type Partner, type World } from './world';

export interface Doc {
  company: Company;
  moveId: number;
  name: string;
  moveType: MoveType;
  arLine: number;
  partner: Partner;
  currencyId: number;
  /** +1: the document line is a debit (customer invoice, vendor refund); -1: a credit. */
  s: 1 | -1;
  /** Document total, document currency cents (unsigned). */
  A: number;
  /** The document line's balance, company cents (unsigned). */
  B: number;
  date: number;
  createTs: number;
  plan: Plan;
  /** Kept only when a credit note will mirror them. */
  lines?: LineIn[];
}

export interface PlannedPayment {
  day: number;
  ts: number;
  A: number;
  B: number;
  partialId: number;
  /** Company cents the partial reconciles. */
  amount: number;
  final: boolean;
}

export interface Plan {
  payments: PlannedPayment[];
  /** Company-currency difference left when the last payment settles the document in its currency (> 0: the document line still had it). */
  exchange: { d: number; partialId: number } | null;
  reversal: { day: number; ts: number; partialId: number } | null;
  fullId: number | null;
  matching: string | null;
  residual: number;
  residualCurrency: number;
  lastTs: number | null;
  paymentState: 'not_paid' | 'paid' | 'partial' | 'reversed';
}

export type SettlementEvent = { kind: 'payment'; doc: Doc; index: number } | { kind: 'reversal'; doc: Doc } | { kind: 'statement'; st: PendingStatement };

export interface PendingStatement {
  company: Company;
  partnerId: number;
  label: string;
  s: 1 | -1;
  currencyId: number;
  A: number;
  B: number;
  outstandingLine: number;
  day: number;
  ts: number;
  fullId: number;
  partialId: number;
}

export interface SettlementContext {
  world: World;
  ledger: Ledger;
  rng: Rng;
  schedule(day: number, e: SettlementEvent): void;
  /** The statement a bank line of `day` belongs to, and the line's sequence in it. */
  statementFor(company: Company, journalRole: 'bank' | 'cash', day: number, amount: number): { id: number; sequence: number };
}

export function nextWeekday(d: number): number {
  while (!isWeekday(d)) d++;
  return d;
}

export function workTs(rng: Rng, d: number): number {
  return d * 86400 + 7 * 3600 + rng.int(0, 9 * 3600 - 1);
}

export type PlanKind = 'open' | 'full' | 'two' | 'partial' | 'reversal';

/** Decide and number everything that will happen to a posted document. */
export function planSettlement(ctx: SettlementContext, doc: Omit<Doc, 'plan'>, kind: PlanKind, firstDay: number, secondDay: number): Plan {
  const { world, ledger, rng } = ctx;
  const plan: Plan = { payments: [], exchange: null, reversal: null, fullId: null, matching: null, residual: doc.B, residualCurrency: doc.A, lastTs: null, paymentState: 'not_paid' };
  if (kind === 'reversal') {
    if (firstDay > world.endDay) return plan;
    plan.reversal = { day: firstDay, ts: workTs(rng, firstDay), partialId: ledger.allocPartial() };
    plan.fullId = ledger.allocFull();
    plan.matching = String(plan.fullId);
    plan.residual = 0;
    plan.residualCurrency = 0;
    plan.lastTs = plan.reversal.ts;
    plan.paymentState = 'reversed';
    return plan;
  }
  const parts: { day: number; A: number }[] = [];
  if (kind === 'full') parts.push({ day: firstDay, A: doc.A });
  else if (kind === 'two' || kind === 'partial') {
    const first = Math.round(doc.A * (0.3 + 0.4 * rng.next()));
    parts.push({ day: firstDay, A: first });
    if (kind === 'two') parts.push({ day: secondDay, A: doc.A - first });
  }
  let R = doc.B;
  let Ar = doc.A;
  for (const p of parts) {
    const day = nextWeekday(p.day);
    if (day > world.endDay || p.A <= 0) break;
    const B = toCompany(world, doc.company, doc.currencyId, p.A, day);
    const final = p.A === Ar;
    const amount = final ? Math.min(R, B) : B;
    const payment: PlannedPayment = { day, ts: workTs(rng, day), A: p.A, B, partialId: ledger.allocPartial(), amount, final };
    plan.payments.push(payment);
    Ar -= p.A;
    if (final) {
      const d = R - B;
      if (d !== 0) plan.exchange = { d, partialId: ledger.allocPartial() };
      R = 0;
    } else R -= B;
    plan.lastTs = payment.ts;
  }
  if (!plan.payments.length) return plan;
  plan.residual = R;
  plan.residualCurrency = Ar;
  if (Ar === 0) {
    plan.fullId = ledger.allocFull();
    plan.matching = String(plan.fullId);
    plan.paymentState = 'paid';
  } else {
    plan.matching = `P${plan.payments[0]!.partialId}`;
    plan.paymentState = 'partial';
  }
  return plan;
}

/** The document line's final reconciliation fields (signed like the line). */
export function docLineState(doc: Pick<Doc, 's' | 'createTs'>, plan: Plan): Pick<LineIn, 'residual' | 'residualCurrency' | 'reconciled' | 'fullReconcileId' | 'matching' | 'writeTs'> {
  return {
    residual: doc.s * plan.residual,
    residualCurrency: doc.s * plan.residualCurrency,
    reconciled: plan.payments.length > 0 || plan.reversal !== null ? plan.residual === 0 && plan.residualCurrency === 0 : false,
    fullReconcileId: plan.fullId,
    matching: plan.matching,
    writeTs: plan.lastTs ?? doc.createTs,
  };
}

function debitCredit(aLine: number, aSign: number, bLine: number): [number, number] {
  return aSign > 0 ? [aLine, bLine] : [bLine, aLine];
}

export function emitPayment(ctx: SettlementContext, doc: Doc, index: number): void {
  const { world, ledger, rng } = ctx;
  const c = doc.company;
  const p = doc.plan.payments[index]!;
  const bank = c.journal.bank;
  const s = doc.s;
  const stDay = nextWeekday(p.day + rng.int(0, 2));
  const hasStatement = stDay <= world.endDay && rng.chance(0.97);
  const st = hasStatement ? { day: stDay, ts: Math.max(p.ts + 60, stDay * 86400 + 6 * 3600 + rng.int(0, 3 * 3600)), fullId: ledger.allocFull(), partialId: ledger.allocPartial() } : null;
  const outAccount = s > 0 ? c.account.outstandingReceipts : c.account.outstandingPayments;
  const arAccount = doc.moveType.startsWith('out') ? c.account.receivable : c.account.payable;
  const label = `${s > 0 ? 'Customer Payment' : 'Vendor Payment'} ${doc.name}`;
  const payment = ledger.emitMove({
    companyId: c.id,
    companyCurrencyId: c.currency.id,
    journal: bank,
    moveType: 'entry',
    state: 'posted',
    date: p.day,
    ref: doc.name,
    partnerId: doc.partner.id,
    currencyId: doc.currencyId,
    payment: true,
    createTs: p.ts,
    writeTs: st?.ts ?? p.ts,
    lines: [
      {
        account: outAccount, partner: doc.partner.id, name: label, displayType: 'product', balance: s * p.B, amountCurrency: s * p.A, currencyId: doc.currencyId,
        residual: st ? 0 : s * p.B, residualCurrency: st ? 0 : s * p.A, reconciled: st !== null, fullReconcileId: st?.fullId ?? null, matching: st ? String(st.fullId) : null, writeTs: st?.ts ?? p.ts,
      },
      {
        account: arAccount, partner: doc.partner.id, name: label, displayType: 'product', balance: -s * p.B, amountCurrency: -s * p.A, currencyId: doc.currencyId, dateMaturity: p.day,
        residual: 0, residualCurrency: 0, reconciled: true, fullReconcileId: doc.plan.fullId, matching: doc.plan.matching, writeTs: p.ts,
      },
    ],
  });
  const payLine = payment.lineIds[1]!;
  let exchangeMoveId: number | null = null;
  let exchangeLine = 0;
  const ex = p.final ? doc.plan.exchange : null;
  if (ex) {
    // Odoo books the difference on the receivable/payable (amount_currency 0) against the exchange gain/loss account.
    const fx = s * ex.d > 0 ? c.account.fxLoss : c.account.fxGain;
    const exchange = ledger.emitMove({
      companyId: c.id,
      companyCurrencyId: c.currency.id,
      journal: c.journal.exchange,
      moveType: 'entry',
      state: 'posted',
      date: p.day,
      ref: `Currency exchange rate difference: ${doc.name}`,
      partnerId: doc.partner.id,
      currencyId: c.currency.id,
      createTs: p.ts,
      lines: [
        { account: arAccount, partner: doc.partner.id, name: 'Currency exchange rate difference', displayType: 'product', balance: -s * ex.d, amountCurrency: 0, currencyId: doc.currencyId, residual: 0, residualCurrency: 0, reconciled: true, fullReconcileId: doc.plan.fullId, matching: doc.plan.matching },
        { account: fx, partner: doc.partner.id, name: 'Currency exchange rate difference', displayType: 'product', balance: s * ex.d, amountCurrency: s * ex.d, currencyId: c.currency.id },
      ],
    });
    exchangeMoveId = exchange.id;
    exchangeLine = exchange.lineIds[0]!;
  }
  const [debit, credit] = debitCredit(doc.arLine, s, payLine);
  ledger.emitPartial({
    id: p.partialId, debitLine: debit, creditLine: credit, debitCurrencyId: doc.currencyId, creditCurrencyId: doc.currencyId, amount: p.amount, debitAmountCurrency: p.A, creditAmountCurrency: p.A,
    fullReconcileId: doc.plan.fullId, exchangeMoveId, companyId: c.id, maxDate: Math.max(doc.date, p.day), ts: p.ts,
  });
  if (ex) {
    // d > 0: the document line kept the difference; d < 0: the payment line did.
    const [dr, cr] = ex.d > 0 ? debitCredit(doc.arLine, s, exchangeLine) : debitCredit(exchangeLine, s, payLine);
    ledger.emitPartial({
      id: ex.partialId, debitLine: dr, creditLine: cr, debitCurrencyId: doc.currencyId, creditCurrencyId: doc.currencyId, amount: Math.abs(ex.d), debitAmountCurrency: 0, creditAmountCurrency: 0,
      fullReconcileId: doc.plan.fullId, exchangeMoveId, companyId: c.id, maxDate: p.day, ts: p.ts,
    });
  }
  if (p.final && doc.plan.fullId !== null) ledger.emitFull(doc.plan.fullId, exchangeMoveId, p.ts);
  if (st) {
    ctx.schedule(st.day, {
      kind: 'statement',
      st: { company: c, partnerId: doc.partner.id, label: `${doc.partner.name} ${doc.name}`, s, currencyId: doc.currencyId, A: p.A, B: p.B, outstandingLine: payment.lineIds[0]!, day: st.day, ts: st.ts, fullId: st.fullId, partialId: st.partialId },
    });
  }
}

/** A bank statement line matching a payment: bank account against the outstanding account, reconciled with the payment. */
export function emitStatement(ctx: SettlementContext, st: PendingStatement): void {
  const { ledger } = ctx;
  const c = st.company;
  const foreign = st.currencyId !== c.currency.id;
  const lineCurrency = foreign ? st.currencyId : c.currency.id;
  const amountCurrency = foreign ? st.A : st.B;
  const outAccount = st.s > 0 ? c.account.outstandingReceipts : c.account.outstandingPayments;
  const stId = ledger.allocStatementLine();
  const statement = ctx.statementFor(c, 'bank', st.day, st.s * st.B);
  const move = ledger.emitMove({
    companyId: c.id,
    companyCurrencyId: c.currency.id,
    journal: c.journal.bank,
    moveType: 'entry',
    state: 'posted',
    date: st.day,
    partnerId: st.partnerId,
    currencyId: c.currency.id,
    statementLineId: stId,
    createTs: st.ts,
    lines: [
      { account: c.account.bank, partner: st.partnerId, name: st.label, displayType: 'product', balance: st.s * st.B, amountCurrency: st.s * amountCurrency, currencyId: lineCurrency },
      {
        account: outAccount, partner: st.partnerId, name: st.label, displayType: 'product', balance: -st.s * st.B, amountCurrency: -st.s * amountCurrency, currencyId: lineCurrency,
        residual: 0, residualCurrency: 0, reconciled: true, fullReconcileId: st.fullId, matching: String(st.fullId),
      },
    ],
  });
  ledger.emitStatementLine({
    id: stId, moveId: move.id, statementId: statement.id, sequence: statement.sequence, paymentRef: st.label, amount: st.s * st.B, amountCurrency: foreign ? st.s * st.A : null,
    foreignCurrencyId: foreign ? st.currencyId : null, residual: 0, currencyId: c.currency.id, partnerId: st.partnerId, reconciled: true, ts: st.ts,
  });
  const [debit, credit] = debitCredit(st.outstandingLine, st.s, move.lineIds[1]!);
  ledger.emitPartial({
    id: st.partialId, debitLine: debit, creditLine: credit, debitCurrencyId: lineCurrency, creditCurrencyId: lineCurrency, amount: st.B, debitAmountCurrency: amountCurrency, creditAmountCurrency: amountCurrency,
    fullReconcileId: st.fullId, exchangeMoveId: null, companyId: c.id, maxDate: st.day, ts: st.ts,
  });
  ledger.emitFull(st.fullId, null, st.ts);
}

const REFUND_OF: Partial<Record<MoveType, MoveType>> = { out_invoice: 'out_refund', in_invoice: 'in_refund' };

/** A credit note reversing `doc` entirely, reconciled with it: both end `reversed`. */
export function emitReversal(ctx: SettlementContext, doc: Doc): void {
  const { ledger } = ctx;
  const c = doc.company;
  const r = doc.plan.reversal!;
  const journal = doc.moveType.startsWith('out') ? c.journal.sale : c.journal.purchase;
  const refundId = ledger.allocMove();
  const arIndex = doc.lines!.findIndex((l) => l.displayType === 'payment_term');
  const lines: LineIn[] = doc.lines!.map((l, i) => {
    const { residual: _r, residualCurrency: _rc, reconciled: _rec, fullReconcileId: _f, matching: _m, writeTs: _w, ...rest } = l;
    const mirrored: LineIn = { ...rest, balance: -l.balance, amountCurrency: -l.amountCurrency };
    if (i !== arIndex) return mirrored;
    return { ...mirrored, dateMaturity: r.day, residual: 0, residualCurrency: 0, reconciled: true, fullReconcileId: doc.plan.fullId, matching: doc.plan.matching, writeTs: r.ts };
  });
  const refund = ledger.emitMove(
    {
      companyId: c.id,
      companyCurrencyId: c.currency.id,
      journal,
      moveType: REFUND_OF[doc.moveType]!,
      state: 'posted',
      date: r.day,
      invoiceDate: r.day,
      invoiceDateDue: r.day,
      ref: `Reversal of: ${doc.name}`,
      partnerId: doc.partner.id,
      currencyId: doc.currencyId,
      paymentState: 'reversed',
      reversedEntryId: doc.moveId,
      createTs: r.ts,
      lines,
    },
    refundId,
  );
  const [debit, credit] = debitCredit(doc.arLine, doc.s, refund.lineIds[arIndex]!);
  ledger.emitPartial({
    id: r.partialId, debitLine: debit, creditLine: credit, debitCurrencyId: doc.currencyId, creditCurrencyId: doc.currencyId, amount: doc.B, debitAmountCurrency: doc.A, creditAmountCurrency: doc.A,
    fullReconcileId: doc.plan.fullId, exchangeMoveId: null, companyId: c.id, maxDate: r.day, ts: r.ts,
  });
  ledger.emitFull(doc.plan.fullId!, null, r.ts);
}
