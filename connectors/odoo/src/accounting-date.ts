/**
 * Dates as Odoo 17's accounting sees them, shared by the demo generator
 * and the API simulator so both date a document the same way.
 *
 * Days are integers (days since 1970-01-01, UTC): cheap to compare and to
 * print, with no time zone to get wrong.
 *
 * Sources (odoo/odoo 17.0): addons/account/models/company.py
 * `_get_user_fiscal_lock_date`, `_get_violated_lock_dates`;
 * addons/account/models/account_move.py `_get_accounting_date`,
 * `_compute_date`, `_post` (a move dated on or before a violated lock date
 * is re-dated, not refused), `_check_fiscalyear_lock_date` (editing or
 * un-posting a posted move dated on or before the lock IS refused).
 */

const MS_PER_DAY = 86_400_000;

export function dayOf(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function dayFromIso(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`not a date: ${JSON.stringify(iso)}`);
  const day = dayOf(Number(m[1]), Number(m[2]), Number(m[3]));
  if (isoFromDay(day) !== iso) throw new RangeError(`not a date: ${JSON.stringify(iso)}`);
  return day;
}

export function dayFromDate(d: Date): number {
  return Math.floor(d.getTime() / MS_PER_DAY);
}

export function isoFromDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function ymd(day: number): { year: number; month: number; day: number } {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function endOfMonth(day: number): number {
  const { year, month } = ymd(day);
  return dayOf(year, month + 1, 1) - 1;
}

export function endOfYear(day: number): number {
  return dayOf(ymd(day).year, 12, 31);
}

/** Monday..Friday. */
export function isWeekday(day: number): boolean {
  const dow = (day + 4) % 7; // 1970-01-01 was a Thursday
  return dow >= 1 && dow <= 5;
}

export interface LockDates {
  /** Odoo 17 `period_lock_date`: binds everyone but advisers. */
  period: number | null;
  /** `fiscalyear_lock_date`: binds everyone. */
  fiscalyear: number | null;
  /** `tax_lock_date`: binds moves that touch the tax report. */
  tax: number | null;
}

/** `_get_user_fiscal_lock_date`: an adviser (account.group_account_manager) is bound by the fiscal-year lock only. */
export function userLockDate(locks: LockDates, adviser: boolean): number | null {
  if (adviser) return locks.fiscalyear;
  if (locks.period === null) return locks.fiscalyear;
  if (locks.fiscalyear === null) return locks.period;
  return Math.max(locks.period, locks.fiscalyear);
}

/** `_get_violated_lock_dates`: the lock dates `day` falls on or before, latest last. */
export function violatedLockDates(day: number, locks: LockDates, opts: { adviser: boolean; hasTax: boolean }): number[] {
  const out: number[] = [];
  const user = userLockDate(locks, opts.adviser);
  if (user !== null && day <= user) out.push(user);
  if (opts.hasTax && locks.tax !== null && day <= locks.tax) out.push(locks.tax);
  return out.sort((a, b) => a - b);
}

export interface AccountingDateInput {
  /** The document's invoice date (or, for an entry, its date). */
  invoiceDay: number;
  today: number;
  /** out_invoice, out_refund, out_receipt. */
  saleDocument: boolean;
  hasTax: boolean;
  adviser: boolean;
  locks: LockDates;
  /** How the journal's numbering restarts, from its latest name; null when the journal has no number yet. */
  sequenceReset: 'month' | 'year' | null;
}

/**
 * `_get_accounting_date`: the date a document is booked on. Purchase
 * documents and entries: the last day of the invoice date's month (or
 * year) when that period is over, else the later of invoice date and
 * today. Sale documents keep their invoice date unless it is locked. A
 * violated lock first moves the invoice date to the day after the latest
 * violated lock.
 */
export function accountingDate(input: AccountingDateInput): number {
  const lock = violatedLockDates(input.invoiceDay, input.locks, { adviser: input.adviser, hasTax: input.hasTax });
  const today = input.today;
  let invoiceDay = input.invoiceDay;
  if (lock.length) invoiceDay = lock[lock.length - 1]! + 1;
  const reset = input.sequenceReset;
  if (input.saleDocument) {
    if (lock.length) {
      if (reset === null || reset === 'month') return Math.min(today, endOfMonth(invoiceDay));
      return Math.min(today, endOfYear(invoiceDay));
    }
    return invoiceDay;
  }
  const t = ymd(today);
  const i = ymd(invoiceDay);
  if (reset === null || reset === 'month') {
    if (t.year * 12 + t.month > i.year * 12 + i.month) return endOfMonth(invoiceDay);
    return Math.max(invoiceDay, today);
  }
  if (t.year > i.year) return dayOf(i.year, 12, 31);
  return Math.max(invoiceDay, today);
}
