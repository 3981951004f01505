/**
 * The demo's ledger: turns moves described in company/document cents into
 * Odoo 17 rows (account_move, account_move_line, partial and full
 * reconciles, bank statement lines, the line-tax relation) and streams
 * them through COPY. It owns ids, the per-journal sequences (names like
 * INV/2025/00042, BILL/2025/03/0007, PBNK1/2025/00012, RINV/2025/00003)
 * and the move totals Odoo computes from lines (`_compute_amount`).
 *
 * Money is integer cents throughout: balances always sum to exactly zero.
 */
import { isoFromDay, ymd } from '../accounting-date';
import { copyText, type CopyIn } from './copy-in';

export type MoveType = 'entry' | 'out_invoice' | 'out_refund' | 'in_invoice' | 'in_refund' | 'out_receipt' | 'in_receipt';
export type MoveState = 'draft' | 'posted' | 'cancel';

export interface JournalInfo {
  id: number;
  code: string;
  type: 'sale' | 'purchase' | 'general' | 'bank' | 'cash';
  companyId: number;
  refundSequence: boolean;
  paymentSequence: boolean;
}

/** Replaced by the move's name when the line is written (Odoo labels the receivable/payable line with it). */
export const MOVE_NAME = Symbol('move name');

export interface LineIn {
  account: number | null;
  partner: number | null;
  name: string | null | typeof MOVE_NAME;
  displayType: 'product' | 'tax' | 'payment_term' | 'line_note' | 'line_section';
  /** Company currency cents, signed (> 0 debit). */
  balance: number;
  /** Line currency cents, signed like balance. */
  amountCurrency: number;
  currencyId: number;
  dateMaturity?: number | null;
  taxLineId?: number | null;
  taxBase?: number | null;
  quantity?: number | null;
  priceUnit?: number | null;
  priceSubtotal?: number | null;
  priceTotal?: number | null;
  taxIds?: readonly number[];
  /** Final reconciliation state; default: open (residual = balance on reconcilable/cash accounts, else 0). */
  residual?: number;
  residualCurrency?: number;
  reconciled?: boolean;
  fullReconcileId?: number | null;
  matching?: string | null;
  /** Seconds since the epoch; default: the move's creation time. */
  writeTs?: number;
}

export interface MoveIn {
  companyId: number;
  companyCurrencyId: number;
  journal: JournalInfo;
  moveType: MoveType;
  state: MoveState;
  date: number;
  invoiceDate?: number | null;
  invoiceDateDue?: number | null;
  ref?: string | null;
  partnerId?: number | null;
  currencyId: number;
  paymentState?: 'not_paid' | 'paid' | 'partial' | 'reversed';
  paymentReference?: string | null;
  reversedEntryId?: number | null;
  statementLineId?: number | null;
  /** Payment moves get the journal's payment sequence (P prefix). */
  payment?: boolean;
  createTs: number;
  writeTs?: number;
  lines: LineIn[];
}

export interface EmittedMove {
  id: number;
  name: string;
  lineIds: number[];
}

export interface PartialIn {
  id: number;
  debitLine: number;
  creditLine: number;
  debitCurrencyId: number;
  creditCurrencyId: number;
  amount: number;
  debitAmountCurrency: number;
  creditAmountCurrency: number;
  fullReconcileId: number | null;
  exchangeMoveId: number | null;
  companyId: number;
  maxDate: number;
  ts: number;
}

export interface StatementLineIn {
  id: number;
  moveId: number;
  statementId: number;
  sequence: number;
  paymentRef: string;
  amount: number;
  amountCurrency: number | null;
  foreignCurrencyId: number | null;
  residual: number;
  currencyId: number;
  partnerId: number | null;
  reconciled: boolean;
  ts: number;
  /** When it was last written (reconciled later than created); default `ts`. */
  writeTs?: number;
}

export const MOVE_COLUMNS = [
  'id', 'name', 'ref', 'date', 'state', 'move_type', 'journal_id', 'company_id', 'currency_id', 'partner_id', 'commercial_partner_id', 'invoice_date', 'invoice_date_due',
  'payment_reference', 'amount_untaxed', 'amount_tax', 'amount_total', 'amount_residual', 'amount_untaxed_signed', 'amount_tax_signed', 'amount_total_signed',
  'amount_total_in_currency_signed', 'amount_residual_signed', 'payment_state', 'reversed_entry_id', 'sequence_prefix', 'sequence_number', 'posted_before', 'to_check',
  'statement_line_id', 'auto_post', 'is_storno', 'always_tax_exigible', 'create_uid', 'create_date', 'write_uid', 'write_date',
] as const;
export const LINE_COLUMNS = [
  'id', 'move_id', 'move_name', 'date', 'ref', 'parent_state', 'journal_id', 'company_id', 'company_currency_id', 'account_id', 'partner_id', 'name', 'display_type', 'sequence',
  'debit', 'credit', 'balance', 'amount_currency', 'currency_id', 'amount_residual', 'amount_residual_currency', 'reconciled', 'full_reconcile_id', 'matching_number',
  'date_maturity', 'tax_line_id', 'tax_base_amount', 'quantity', 'price_unit', 'discount', 'price_subtotal', 'price_total', 'blocked', 'invoice_date', 'statement_line_id',
  'create_uid', 'create_date', 'write_uid', 'write_date',
] as const;
export const PARTIAL_COLUMNS = [
  'id', 'debit_move_id', 'credit_move_id', 'full_reconcile_id', 'exchange_move_id', 'debit_currency_id', 'credit_currency_id', 'amount', 'debit_amount_currency',
  'credit_amount_currency', 'company_id', 'max_date', 'create_uid', 'create_date', 'write_uid', 'write_date',
] as const;
export const FULL_COLUMNS = ['id', 'exchange_move_id', 'create_uid', 'create_date', 'write_uid', 'write_date'] as const;
export const STATEMENT_LINE_COLUMNS = [
  'id', 'move_id', 'statement_id', 'sequence', 'payment_ref', 'amount', 'amount_currency', 'foreign_currency_id', 'amount_residual', 'currency_id', 'partner_id', 'is_reconciled',
  'create_uid', 'create_date', 'write_uid', 'write_date',
] as const;
export const TAX_REL_COLUMNS = ['account_move_line_id', 'account_tax_id'] as const;

export interface LedgerWriters {
  moves: CopyIn;
  lines: CopyIn;
  partials: CopyIn;
  fulls: CopyIn;
  statementLines: CopyIn;
  taxRel: CopyIn;
}

const N = '\\N';
const ADMIN_UID = '2';

/** Cents as a decimal string. */
export function money(cents: number): string {
  if (cents === 0) return '0.00';
  const neg = cents < 0;
  const a = neg ? -cents : cents;
  const whole = Math.floor(a / 100);
  const frac = a - whole * 100;
  return `${neg ? '-' : ''}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

const dayCache = new Map<number, string>();
export function day(d: number): string {
  let s = dayCache.get(d);
  if (s === undefined) {
    s = isoFromDay(d);
    dayCache.set(d, s);
  }
  return s;
}

/** Seconds since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC, as Odoo stores datetimes). */
export function timestamp(ts: number): string {
  const d = Math.floor(ts / 86400);
  let r = ts - d * 86400;
  const h = Math.floor(r / 3600);
  r -= h * 3600;
  const m = Math.floor(r / 60);
  const s = r - m * 60;
  return `${day(d)} ${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}`;
}

const str = (v: string | null | undefined): string => (v === null || v === undefined ? N : copyText(v));
const num = (v: number | null | undefined): string => (v === null || v === undefined ? N : String(v));
const opt = (v: number | null | undefined, f: (x: number) => string): string => (v === null || v === undefined ? N : f(v));
const bool = (v: boolean): string => (v ? 't' : 'f');

const SALE_TYPES = new Set<MoveType>(['out_invoice', 'out_refund', 'out_receipt']);
const OUTBOUND = new Set<MoveType>(['in_invoice', 'out_refund', 'in_receipt']);
const REFUNDS = new Set<MoveType>(['out_refund', 'in_refund']);

export class Ledger {
  private nextMove = 1;
  private nextLine = 1;
  private nextPartial = 1;
  private nextFull = 1;
  private nextStatementLine = 1;
  private readonly sequences = new Map<string, number>();
  /** A number the sequence skips once (the sequence_gap fault). */
  private gap: { journalId: number; prefix: string; missingName?: string; missingNumber?: number; day?: number } | undefined;
  readonly counts = { moves: 0, lines: 0, partials: 0, fulls: 0, statementLines: 0, taxRel: 0 };

  constructor(
    private readonly w: LedgerWriters,
    /** Accounts whose lines carry a residual: reconcilable ones and cash (Odoo `_compute_amount_residual`). */
    private readonly residualAccounts: ReadonlySet<number>,
  ) {}

  allocMove(): number {
    return this.nextMove++;
  }
  allocPartial(): number {
    return this.nextPartial++;
  }
  allocFull(): number {
    return this.nextFull++;
  }
  allocStatementLine(): number {
    return this.nextStatementLine++;
  }
  /** The id the next line will get (lines are numbered as they are written). */
  peekLine(): number {
    return this.nextLine;
  }

  /** Make the next number of `prefix` in `journal` go missing; `gapResult` tells which one did. */
  skipNextNumber(journalId: number, prefix: string): void {
    this.gap = { journalId, prefix };
  }
  gapResult(): { name: string; number: number; day: number } | undefined {
    return this.gap?.missingName ? { name: this.gap.missingName, number: this.gap.missingNumber!, day: this.gap.day! } : undefined;
  }

  /** The name a posted move of this kind gets on `date` (Odoo's default sequence formats, sequence.mixin). */
  private nextName(m: MoveIn): { name: string; prefix: string; number: number } {
    const j = m.journal;
    const { year, month } = ymd(m.date);
    const lead = (m.payment && j.paymentSequence ? 'P' : '') + (REFUNDS.has(m.moveType) && j.refundSequence ? 'R' : '');
    const yearly = j.type === 'sale' || j.type === 'bank' || j.type === 'cash';
    const prefix = yearly ? `${lead}${j.code}/${year}/` : `${lead}${j.code}/${year}/${month < 10 ? '0' : ''}${month}/`;
    const key = `${j.id}|${prefix}`;
    let n = (this.sequences.get(key) ?? 0) + 1;
    if (this.gap && !this.gap.missingName && this.gap.journalId === j.id && this.gap.prefix === prefix && n > 1) {
      this.gap.missingNumber = n;
      this.gap.day = m.date;
      this.gap.missingName = prefix + String(n).padStart(yearly ? 5 : 4, '0');
      n++;
    }
    this.sequences.set(key, n);
    return { name: prefix + String(n).padStart(yearly ? 5 : 4, '0'), prefix, number: n };
  }

  emitMove(m: MoveIn, id = this.allocMove()): EmittedMove {
    const posted = m.state === 'posted';
    const seq = posted ? this.nextName(m) : { name: '/', prefix: '', number: 0 };
    const lineIds: number[] = [];
    const residuals: [number, number][] = [];
    const create = timestamp(m.createTs);
    const moveWrite = m.writeTs ?? m.createTs;
    let seqNo = 10;
    for (const l of m.lines) {
      const lid = this.nextLine++;
      lineIds.push(lid);
      const res = l.residual ?? (l.account !== null && this.residualAccounts.has(l.account) ? l.balance : 0);
      const resCur = l.residualCurrency ?? (l.account !== null && this.residualAccounts.has(l.account) ? l.amountCurrency : 0);
      residuals.push([res, resCur]);
      const name = l.name === MOVE_NAME ? (posted ? seq.name : '') : l.name;
      const bal = l.balance;
      this.w.lines.row(
        [
          lid, id, str(seq.name), day(m.date), str(m.ref), m.state, m.journal.id, m.companyId, m.companyCurrencyId, num(l.account), num(l.partner), str(name), l.displayType, seqNo,
          money(bal > 0 ? bal : 0), money(bal < 0 ? -bal : 0), money(bal), money(l.amountCurrency), l.currencyId, money(res), money(resCur), bool(l.reconciled ?? false),
          num(l.fullReconcileId), str(l.matching), opt(l.dateMaturity, day), num(l.taxLineId), opt(l.taxBase, money), opt(l.quantity, (q) => q.toFixed(2)), opt(l.priceUnit, money),
          l.displayType === 'product' && l.quantity != null ? '0.00' : N, opt(l.priceSubtotal, money), opt(l.priceTotal, money), 'f', opt(m.invoiceDate, day), num(m.statementLineId),
          ADMIN_UID, create, ADMIN_UID, timestamp(l.writeTs ?? m.createTs),
        ].join('\t'),
      );
      seqNo += 1;
      if (l.taxIds) {
        for (const t of l.taxIds) this.w.taxRel.row(`${lid}\t${t}`);
        this.counts.taxRel += l.taxIds.length;
      }
    }
    this.counts.lines += m.lines.length;
    const partner = m.partnerId ?? null;
    const t = moveAmounts(m.moveType, m.lines.map((l, i) => ({ displayType: l.displayType, balance: l.balance, amountCurrency: l.amountCurrency, currencyId: l.currencyId, residual: residuals[i]![0], residualCurrency: residuals[i]![1] })));
    this.w.moves.row(
      [
        id, copyText(seq.name), str(m.ref), day(m.date), m.state, m.moveType, m.journal.id, m.companyId, m.currencyId, num(partner), num(partner), opt(m.invoiceDate, day),
        opt(m.invoiceDateDue, day), str(m.paymentReference), money(t.untaxed), money(t.tax), money(t.total), money(t.residual), money(t.untaxedSigned), money(t.taxSigned), money(t.totalSigned),
        money(t.totalInCurrencySigned), money(t.residualSigned), m.paymentState ?? 'not_paid', num(m.reversedEntryId),
        copyText(seq.prefix), seq.number, bool(posted), 'f', num(m.statementLineId), 'no', 'f', bool(!t.hasArAp), ADMIN_UID, create, ADMIN_UID, timestamp(moveWrite),
      ].join('\t'),
    );
    this.counts.moves += 1;
    return { id, name: seq.name, lineIds };
  }

  emitPartial(p: PartialIn): void {
    const ts = timestamp(p.ts);
    this.w.partials.row(
      [
        p.id, p.debitLine, p.creditLine, num(p.fullReconcileId), num(p.exchangeMoveId), p.debitCurrencyId, p.creditCurrencyId, money(p.amount), money(p.debitAmountCurrency),
        money(p.creditAmountCurrency), p.companyId, day(p.maxDate), ADMIN_UID, ts, ADMIN_UID, ts,
      ].join('\t'),
    );
    this.counts.partials += 1;
  }

  emitFull(id: number, exchangeMoveId: number | null, ts: number): void {
    const t = timestamp(ts);
    this.w.fulls.row(`${id}\t${num(exchangeMoveId)}\t${ADMIN_UID}\t${t}\t${ADMIN_UID}\t${t}`);
    this.counts.fulls += 1;
  }

  emitStatementLine(s: StatementLineIn): void {
    const ts = timestamp(s.ts);
    this.w.statementLines.row(
      [
        s.id, s.moveId, s.statementId, s.sequence, copyText(s.paymentRef), money(s.amount), opt(s.amountCurrency, money), num(s.foreignCurrencyId), (s.residual / 100).toFixed(2),
        s.currencyId, num(s.partnerId), bool(s.reconciled), ADMIN_UID, ts, ADMIN_UID, timestamp(s.writeTs ?? s.ts),
      ].join('\t'),
    );
    this.counts.statementLines += 1;
  }

  async maybeFlush(): Promise<void> {
    for (const w of Object.values(this.w) as CopyIn[]) await w.maybeFlush();
  }
}

export interface MoveAmounts {
  untaxed: number;
  tax: number;
  total: number;
  residual: number;
  untaxedSigned: number;
  taxSigned: number;
  totalSigned: number;
  totalInCurrencySigned: number;
  residualSigned: number;
  hasArAp: boolean;
}

/**
 * A move's stored totals from its lines, as Odoo 17's `_compute_amount`:
 * documents sum product, tax and payment-term lines in their currency
 * (unsigned) and in the company's (signed: + customer invoice, − vendor
 * bill); an entry's total is its debit side.
 */
export function moveAmounts(moveType: MoveType, lines: readonly { displayType: string; balance: number; amountCurrency: number; currencyId: number; residual: number; residualCurrency: number }[]): MoveAmounts {
  const invoice = moveType !== 'entry';
  const sign = moveType === 'entry' || OUTBOUND.has(moveType) ? 1 : -1;
  let untaxed = 0, untaxedCur = 0, tax = 0, taxCur = 0, total = 0, totalCur = 0, residual = 0, residualCur = 0;
  for (const l of lines) {
    if (invoice) {
      if (l.displayType === 'tax') {
        tax += l.balance;
        taxCur += l.amountCurrency;
        total += l.balance;
        totalCur += l.amountCurrency;
      } else if (l.displayType === 'product') {
        untaxed += l.balance;
        untaxedCur += l.amountCurrency;
        total += l.balance;
        totalCur += l.amountCurrency;
      } else if (l.displayType === 'payment_term') {
        residual += l.residual;
        residualCur += l.residualCurrency;
      }
    } else if (l.balance > 0) {
      total += l.balance;
      totalCur += l.amountCurrency;
    }
  }
  // Entries: Σ debit, in the lines' currency when they share one, else in the company's.
  const oneCurrency = lines.every((l) => l.currencyId === lines[0]?.currencyId);
  const amountTotal = invoice ? sign * totalCur : Math.abs(oneCurrency ? totalCur : total);
  return {
    untaxed: sign * untaxedCur,
    tax: sign * taxCur,
    total: amountTotal,
    residual: invoice ? -sign * residualCur : 0,
    untaxedSigned: -untaxed,
    taxSigned: -tax,
    totalSigned: invoice ? -total : Math.abs(total),
    totalInCurrencySigned: invoice ? -(sign * amountTotal) : Math.abs(amountTotal),
    residualSigned: invoice ? residual : 0,
    hasArAp: lines.some((l) => l.displayType === 'payment_term'),
  };
}

export function isSaleDocument(t: MoveType): boolean {
  return SALE_TYPES.has(t);
}
