/**
 * Shared by the simulator's account.move code: the move row it works on
 * (with its journal and company lock dates), argument checks that answer
 * Odoo's errors, and Odoo 17's accounting date for a document.
 */
import { accountingDate, dayFromIso, isoFromDay, ymd, type LockDates } from '../accounting-date';
import type { MoveType } from '../demo/ledger';
import { OdooException, pyRepr, typeError, valueError } from './odoo-exception';
import type { Env, SimRegistry } from './simulator-models';

export interface MoveEnv extends Env {
  today: number;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  now: string;
  /** In account.group_account_manager: bound by the fiscal-year lock only. */
  adviser: boolean;
  userCompanyId: number;
}

export const SALE = new Set(['out_invoice', 'out_refund', 'out_receipt']);

export const PURCHASE = new Set(['in_invoice', 'in_refund', 'in_receipt']);

/** Sign of the receivable/payable line: + when it is a debit. */
export const DOC_SIGN: Record<string, 1 | -1> = { out_invoice: 1, out_receipt: 1, in_refund: 1, in_invoice: -1, in_receipt: -1, out_refund: -1 };

export const cents = (v: unknown): number => Math.round(Number(v) * 100);

export const money = (c: number): string => (c / 100).toFixed(2);

export interface MoveRow {
  id: number;
  name: string;
  state: string;
  move_type: MoveType;
  date: string;
  invoice_date: string | null;
  invoice_date_due: string | null;
  ref: string | null;
  partner_id: number | null;
  journal_id: number;
  company_id: number;
  currency_id: number;
  company_currency_id: number;
  journal_type: string;
  journal_code: string;
  journal_name: string;
  refund_sequence: boolean;
  default_account_id: number | null;
  period_lock_date: string | null;
  fiscalyear_lock_date: string | null;
  tax_lock_date: string | null;
}

export const MOVE_SELECT = `
  SELECT m.id, m.name, m.state, m.move_type, m.date::text AS date, m.invoice_date::text AS invoice_date, m.invoice_date_due::text AS invoice_date_due, m.ref, m.partner_id,
         m.journal_id, m.company_id, m.currency_id, c.currency_id AS company_currency_id, j.type AS journal_type, j.code AS journal_code, j.name->>'en_US' AS journal_name,
         coalesce(j.refund_sequence, false) AS refund_sequence, j.default_account_id,
         c.period_lock_date::text AS period_lock_date, c.fiscalyear_lock_date::text AS fiscalyear_lock_date, c.tax_lock_date::text AS tax_lock_date
    FROM account_move m JOIN account_journal j ON j.id = m.journal_id JOIN res_company c ON c.id = m.company_id`;

export function ids(v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => Number.isInteger(x))) throw typeError(`ids must be a list of integers, not ${pyRepr(v)}`);
  return list as number[];
}

export function dateArg(v: unknown, field: string): string | null {
  if (v === false || v === null || v === undefined) return null;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    try {
      return isoFromDay(dayFromIso(v.slice(0, 10)));
    } catch {
      /* not a date: below */
    }
  }
  throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d' (${field})`);
}

export function intArg(v: unknown, field: string): number | null {
  if (v === false || v === null || v === undefined) return null;
  if (Number.isInteger(v)) return v as number;
  throw valueError(`Wrong value for ${field}: ${pyRepr(v)}`);
}

export function strArg(v: unknown): string | null {
  if (v === false || v === null || v === undefined) return null;
  return String(v);
}

export function locksOf(m: Pick<MoveRow, 'period_lock_date' | 'fiscalyear_lock_date' | 'tax_lock_date'>): LockDates {
  const d = (s: string | null) => (s ? dayFromIso(s) : null);
  return { period: d(m.period_lock_date), fiscalyear: d(m.fiscalyear_lock_date), tax: d(m.tax_lock_date) };
}

/** format_date(env, d) for en_US. */
export function formatDate(day: number): string {
  const { year, month, day: dd } = ymd(day);
  return `${String(month).padStart(2, '0')}/${String(dd).padStart(2, '0')}/${year}`;
}

export async function loadMoves(env: MoveEnv, moveIds: number[], lock = true): Promise<MoveRow[]> {
  const { rows } = await env.db.query<MoveRow>(`${MOVE_SELECT} WHERE m.id = ANY($1) ORDER BY m.date, m.id${lock ? ' FOR UPDATE OF m' : ''}`, [moveIds]);
  const missing = moveIds.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw new OdooException('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: account.move(${missing.join(', ')},), User: ${env.uid})`);
  return rows;
}

export function checkFields(reg: SimRegistry, model: string, vals: Record<string, unknown>, allowed: Set<string>): void {
  for (const k of Object.keys(vals)) {
    if (!reg.model(model)!.field(k)) throw valueError(`Invalid field ${pyRepr(k)} on model ${pyRepr(model)}`);
    if (!allowed.has(k)) throw new OdooException('builtins.NotImplementedError', `The Odoo API simulator does not set ${model}.${k}`);
  }
}

/** How the journal's numbers restart, from its latest name: `CODE/2025/03/0001` monthly, `CODE/2025/00001` yearly. */
export async function sequenceReset(env: MoveEnv, journalId: number): Promise<'month' | 'year' | null> {
  const { rows } = await env.db.query<{ name: string }>(`SELECT name FROM account_move WHERE journal_id = $1 AND state = 'posted' AND name <> '/' ORDER BY date DESC, id DESC LIMIT 1`, [journalId]);
  const name = rows[0]?.name;
  if (!name) return null;
  return /\/\d{4}\/\d{2}\/\d+$/.test(name) ? 'month' : /\/\d{4}\/\d+$/.test(name) ? 'year' : null;
}

export async function accountingDay(env: MoveEnv, m: { move_type: string; journal_id: number; locks: LockDates }, invoiceDay: number, withTax: boolean): Promise<number> {
  return accountingDate({ invoiceDay, today: env.today, saleDocument: SALE.has(m.move_type), hasTax: withTax, adviser: env.adviser, locks: m.locks, sequenceReset: await sequenceReset(env, m.journal_id) });
}
