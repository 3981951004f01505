/**
 * The rules a vendor bill's fields must pass before it may flow on without
 * a person: required fields, totals that add up (lines = subtotal,
 * subtotal + tax = total, to the cent), dates that make sense (parseable,
 * not in the future, not older than `maxAgeDays`, due on or after the
 * invoice date), a currency ISO 4217 knows, and positive amounts.
 *
 * Pure: given fields and lines (canonical strings, see README "Extraction
 * shape") and today, returns the issues. An issue with severity `error`
 * blocks approval until corrected; a `warning` sends the document to a
 * person but may be approved as it is.
 */
import type { FieldName } from '../ocr/types';

export { FIELD_NAMES, type FieldName } from '../ocr/types';
export const REQUIRED_FIELDS: readonly FieldName[] = ['vendor', 'invoice_number', 'invoice_date', 'currency', 'total'];

export interface RuleIssue {
  rule: 'required' | 'format' | 'totals' | 'lines' | 'date' | 'currency' | 'amount';
  field?: FieldName;
  severity: 'error' | 'warning';
  message: string;
}

export interface LineValues {
  description: string;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
}

export type FieldValues = Partial<Record<FieldName, string | null>>;

const AMOUNT = /^-?\d{1,12}(\.\d{1,4})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Amounts as integer cents (4 decimals kept as hundredths of cents), or undefined when not a canonical amount. */
export function cents(v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || !AMOUNT.test(v)) return undefined;
  return Math.round(Number(v) * 100);
}

/** Days since 1970-01-01 of a canonical date, or undefined when it is not a real date. */
export function dayOf(v: string | null | undefined): number | undefined {
  const m = v ? DATE.exec(v) : null;
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return t / 86_400_000;
}

let currencies: Set<string> | undefined;
/** ISO 4217 codes this runtime knows (Intl). */
export function isKnownCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

const money = (c: number) => (c / 100).toFixed(2);

export interface RuleOptions {
  /** Today, as days since 1970-01-01 (UTC). */
  today: number;
  /** An invoice older than this is a warning. Default 730. */
  maxAgeDays?: number;
}

export function checkRules(f: FieldValues, lines: readonly LineValues[], opts: RuleOptions): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const name of REQUIRED_FIELDS) {
    const v = f[name];
    if (v === null || v === undefined || v.trim() === '') issues.push({ rule: 'required', field: name, severity: 'error', message: `${label(name)} is missing` });
  }
  for (const name of ['subtotal', 'tax', 'total'] as const) {
    const v = f[name];
    if (v !== null && v !== undefined && v !== '' && cents(v) === undefined) issues.push({ rule: 'format', field: name, severity: 'error', message: `${label(name)} "${v.slice(0, 40)}" is not an amount` });
  }
  const total = cents(f.total);
  if (total !== undefined && total <= 0) issues.push({ rule: 'amount', field: 'total', severity: 'error', message: `Total ${money(total)} must be positive` });
  const tax = cents(f.tax);
  if (tax !== undefined && tax < 0) issues.push({ rule: 'amount', field: 'tax', severity: 'error', message: `Tax ${money(tax)} must not be negative` });

  const subtotal = cents(f.subtotal);
  const lineAmounts = lines.map((l) => cents(l.amount));
  const linesSum = lineAmounts.every((c) => c !== undefined) && lines.length > 0 ? lineAmounts.reduce((a, b) => a! + b!, 0)! : undefined;
  lines.forEach((l, i) => {
    if (l.amount !== null && cents(l.amount) === undefined) issues.push({ rule: 'lines', severity: 'error', message: `Line ${i + 1}: amount "${l.amount.slice(0, 40)}" is not an amount` });
    const q = l.quantity === null ? undefined : Number(l.quantity);
    const p = cents(l.unit_price);
    const a = cents(l.amount);
    if (q !== undefined && Number.isFinite(q) && p !== undefined && a !== undefined && Math.abs(Math.round(q * p) - a) > 1) {
      issues.push({ rule: 'lines', severity: 'warning', message: `Line ${i + 1}: ${l.quantity} × ${money(p)} is ${money(Math.round(q * p))}, not ${money(a)}` });
    }
  });
  if (linesSum !== undefined && subtotal !== undefined && linesSum !== subtotal) {
    issues.push({ rule: 'totals', field: 'subtotal', severity: 'error', message: `The lines add up to ${money(linesSum)}, not the subtotal ${money(subtotal)}` });
  }
  const base = subtotal ?? linesSum;
  // An amount that does not parse is reported above; the sums are not checked around it.
  const unreadable = (['subtotal', 'tax'] as const).some((n) => f[n] !== null && f[n] !== undefined && f[n] !== '' && cents(f[n]) === undefined);
  if (base !== undefined && total !== undefined && !unreadable) {
    const expected = base + (tax ?? 0);
    if (expected !== total) {
      const what = subtotal !== undefined ? 'Subtotal' : 'The lines';
      issues.push({ rule: 'totals', field: 'total', severity: 'error', message: `${what} ${money(base)} + tax ${money(tax ?? 0)} = ${money(expected)}, not the total ${money(total)}` });
    }
  }

  const inv = dayOf(f.invoice_date);
  if (f.invoice_date && inv === undefined) issues.push({ rule: 'date', field: 'invoice_date', severity: 'error', message: `Invoice date "${f.invoice_date.slice(0, 40)}" is not a date` });
  if (inv !== undefined && inv > opts.today + 1) issues.push({ rule: 'date', field: 'invoice_date', severity: 'error', message: `Invoice date ${f.invoice_date} is in the future` });
  if (inv !== undefined && inv < opts.today - (opts.maxAgeDays ?? 730)) issues.push({ rule: 'date', field: 'invoice_date', severity: 'warning', message: `Invoice date ${f.invoice_date} is more than ${opts.maxAgeDays ?? 730} days old` });
  const due = dayOf(f.due_date);
  if (f.due_date && due === undefined) issues.push({ rule: 'date', field: 'due_date', severity: 'error', message: `Due date "${f.due_date.slice(0, 40)}" is not a date` });
  if (inv !== undefined && due !== undefined && due < inv) issues.push({ rule: 'date', field: 'due_date', severity: 'error', message: `Due date ${f.due_date} is before the invoice date ${f.invoice_date}` });

  if (f.currency && !(/^[A-Z]{3}$/.test(f.currency) && isKnownCurrency(f.currency))) issues.push({ rule: 'currency', field: 'currency', severity: 'error', message: `Currency "${f.currency.slice(0, 20)}" is not an ISO 4217 code` });
  return issues;
}

const LABELS: Record<FieldName, string> = {
  vendor: 'Vendor',
  vendor_vat: 'Vendor VAT number',
  invoice_number: 'Invoice number',
  invoice_date: 'Invoice date',
  due_date: 'Due date',
  currency: 'Currency',
  subtotal: 'Subtotal',
  tax: 'Tax',
  total: 'Total',
};
export const label = (f: FieldName): string => LABELS[f];
