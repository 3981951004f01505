/**
 * The demo's small tables (currencies and rates, partners, companies,
 * accounts, journals, taxes, the lock-date tracking messages and the
 * monthly bank statements), written with COPY on one connection.
 */
import type { Client } from 'pg';
import { isoFromDay, isWeekday } from '../accounting-date';
import { ACCOUNT_ROLES, ACCOUNTS, CURRENCIES, internalGroup } from './chart';
import { CopyIn, copyText } from './copy-in';
import { money, timestamp } from './ledger';
import type { StatementRow } from './flows';
import { rateOf, type LockField, type World } from './world';

type Cell = string | number | boolean | null;

function cell(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return copyText(v);
}

export async function copyRows(client: Client, table: string, columns: readonly string[], rows: readonly Cell[][]): Promise<number> {
  const copy = await CopyIn.start(client, table, columns);
  for (const r of rows) copy.row(r.map(cell).join('\t'));
  return copy.end();
}

const en = (s: string): string => JSON.stringify({ en_US: s });
const AUDIT = ['create_uid', 'create_date', 'write_uid', 'write_date'] as const;
const LOCK_LABELS: Record<LockField, string> = { period_lock_date: 'Journals Entries Lock Date', fiscalyear_lock_date: 'All Users Lock Date', tax_lock_date: 'Tax Return Lock Date' };

/** Rows per table, for the summary. */
export async function writeStaticTables(client: Client, world: World): Promise<Record<string, number>> {
  const setupTs = timestamp((world.startDay - 30) * 86400 + 9 * 3600);
  const audit = (ts = setupTs): Cell[] => [2, setupTs, 2, ts];
  const counts: Record<string, number> = {};
  const put = async (table: string, columns: readonly string[], rows: Cell[][]) => {
    counts[table] = await copyRows(client, table, [...columns, ...AUDIT], rows);
  };

  await put('res_currency', ['id', 'name', 'full_name', 'symbol', 'rounding', 'decimal_places', 'active', 'position'], CURRENCIES.map((c) => [c.id, c.name, c.fullName, c.symbol, '0.010000', 2, true, c.position, ...audit()]));

  const rates: Cell[][] = [];
  let rateId = 1;
  for (const company of world.companies) {
    for (const cur of CURRENCIES) {
      if (cur.id === company.currency.id) continue;
      for (let d = world.startDay; d <= world.endDay; d++) {
        if (!isWeekday(d)) continue;
        const ts = timestamp(d * 86400 + 6 * 3600);
        rates.push([rateId++, isoFromDay(d), rateOf(world, company, cur.id, d).toFixed(6), cur.id, company.id, 2, ts, 2, ts]);
      }
    }
  }
  await put('res_currency_rate', ['id', 'name', 'rate', 'currency_id', 'company_id'], rates);

  const partners: Cell[][] = world.companies.map((c) => [c.partnerId, c.name, c.name, null, null, `info@${c.name.toLowerCase().replace(/[^a-z]+/g, '')}.example`, null, true, 'contact', null, null, c.preset.city, c.id, null, c.partnerId, 0, 0, true, ...audit()]);
  partners.push([world.adminPartnerId, 'Administrator', 'Administrator', null, null, 'admin@example.com', null, false, 'contact', null, null, null, null, null, world.adminPartnerId, 0, 0, true, ...audit()]);
  for (const p of world.partners) {
    const email = `accounts@${p.name.toLowerCase().replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}.example`;
    partners.push([p.id, p.name, p.name, `P${String(p.id).padStart(5, '0')}`, p.vat, email, `+${10 + (p.id % 80)} ${String(1_000_000 + p.id * 7919).slice(-7)}`, true, 'contact', `${1 + (p.id % 200)} Main Street`, String(10000 + p.id * 37).slice(-5), p.city, null, null, p.id, p.customer ? 1 : 0, p.vendor ? 1 : 0, true, ...audit()]);
  }
  await put('res_partner', ['id', 'name', 'complete_name', 'ref', 'vat', 'email', 'phone', 'is_company', 'type', 'street', 'zip', 'city', 'company_id', 'parent_id', 'commercial_partner_id', 'customer_rank', 'supplier_rank', 'active'], partners);

  await put(
    'res_company',
    ['id', 'name', 'partner_id', 'currency_id', 'sequence', 'parent_id', 'parent_path', 'active', 'email', 'fiscalyear_last_day', 'fiscalyear_last_month', 'period_lock_date', 'fiscalyear_lock_date', 'tax_lock_date',
      'transfer_account_id', 'bank_account_code_prefix', 'cash_account_code_prefix', 'transfer_account_code_prefix', 'account_journal_suspense_account_id', 'account_journal_payment_debit_account_id',
      'account_journal_payment_credit_account_id', 'currency_exchange_journal_id', 'income_currency_exchange_account_id', 'expense_currency_exchange_account_id', 'account_opening_date'],
    world.companies.map((c) => [
      c.id, c.name, c.partnerId, c.currency.id, 10, null, `${c.id}/`, true, null, 31, '12', dateOrNull(c.locks.period), dateOrNull(c.locks.fiscalyear), dateOrNull(c.locks.tax),
      c.account.transfer, '1014', '1015', '1017', c.account.suspense, c.account.outstandingReceipts, c.account.outstandingPayments, c.journal.exchange.id, c.account.fxGain, c.account.fxLoss,
      isoFromDay(world.startDay), ...audit(timestamp(c.lockSetTs)),
    ]),
  );

  const accounts: Cell[][] = [];
  for (const c of world.companies) {
    for (const role of ACCOUNT_ROLES) {
      const [code, name, type, reconcile] = ACCOUNTS[role];
      accounts.push([c.account[role], en(name), code, type, internalGroup(type), reconcile, false, false, !/^(income|expense|off_balance)/.test(type), null, c.id, ...audit()]);
    }
  }
  await put('account_account', ['id', 'name', 'code', 'account_type', 'internal_group', 'reconcile', 'deprecated', 'non_trade', 'include_initial_balance', 'currency_id', 'company_id'], accounts);

  await put(
    'account_journal',
    ['id', 'name', 'code', 'active', 'type', 'sequence', 'default_account_id', 'suspense_account_id', 'company_id', 'currency_id', 'refund_sequence', 'payment_sequence'],
    world.companies.flatMap((c) => Object.values(c.journal).map((j) => [j.id, en(j.name), j.code, true, j.type, j.sequence, j.defaultAccountId, j.suspenseAccountId, c.id, null, j.refundSequence, j.paymentSequence, ...audit()])),
  );

  await put(
    'account_tax',
    ['id', 'name', 'type_tax_use', 'amount_type', 'amount', 'price_include', 'active', 'sequence', 'company_id'],
    world.companies.flatMap((c) => [
      [c.saleTax.id, en(c.saleTax.name), 'sale', 'percent', c.saleTax.rate.toFixed(4), false, true, 1, c.id, ...audit()],
      [c.purchaseTax.id, en(c.purchaseTax.name), 'purchase', 'percent', c.purchaseTax.rate.toFixed(4), false, true, 1, c.id, ...audit()],
    ]),
  );

  // Where each tax is booked: the base on the document's lines, the tax on the tax account (invoices and refunds alike).
  let repartitionId = 1;
  await put(
    'account_tax_repartition_line',
    ['id', 'factor_percent', 'repartition_type', 'document_type', 'account_id', 'tax_id', 'company_id', 'sequence', 'use_in_tax_closing'],
    world.companies.flatMap((c) =>
      [
        [c.saleTax.id, c.account.taxReceived],
        [c.purchaseTax.id, c.account.taxPaid],
      ].flatMap(([tax, account]) =>
        (['invoice', 'refund'] as const).flatMap((doc) => [
          [repartitionId++, '100.0', 'base', doc, null, tax!, c.id, 1, false, ...audit()],
          [repartitionId++, '100.0', 'tax', doc, account!, tax!, c.id, 2, true, ...audit()],
        ]),
      ),
    ),
  );

  // Odoo tracks res.company's lock dates (tracking=True): each change is a notification on the company with one tracking value.
  const fieldIds: Record<LockField, number> = { period_lock_date: 1, fiscalyear_lock_date: 2, tax_lock_date: 3 };
  await put('ir_model_fields', ['id', 'name', 'model', 'ttype', 'field_description', 'store'], (Object.keys(fieldIds) as LockField[]).map((f) => [fieldIds[f], f, 'res.company', 'date', en(LOCK_LABELS[f]), true, ...audit()]));
  const messages: Cell[][] = [];
  const values: Cell[][] = [];
  for (const c of world.companies) {
    for (const change of c.lockChanges) {
      const id = messages.length + 1;
      const ts = timestamp(change.ts);
      messages.push([id, 'res.company', c.id, c.name, 'notification', '', ts, world.adminPartnerId, 2, ts, 2, ts]);
      values.push([id, fieldIds[change.field], change.oldDay === null ? null : `${isoFromDay(change.oldDay)} 00:00:00`, `${isoFromDay(change.newDay)} 00:00:00`, id, 2, ts, 2, ts]);
    }
  }
  await put('mail_message', ['id', 'model', 'res_id', 'record_name', 'message_type', 'body', 'date', 'author_id'], messages);
  await put('mail_tracking_value', ['id', 'field_id', 'old_value_datetime', 'new_value_datetime', 'mail_message_id'], values);
  return counts;
}

export async function writeStatements(client: Client, rows: readonly StatementRow[]): Promise<number> {
  return copyRows(
    client,
    'account_bank_statement',
    ['id', 'name', 'date', 'journal_id', 'company_id', 'balance_start', 'balance_end_real', 'is_complete', ...AUDIT],
    rows.map((s) => [s.id, s.name, isoFromDay(s.day), s.journalId, s.companyId, money(s.balanceStart), money(s.balanceEnd), true, 2, timestamp(s.ts), 2, timestamp(s.ts)]),
  );
}

function dateOrNull(d: number | null): string | null {
  return d === null ? null : isoFromDay(d);
}
