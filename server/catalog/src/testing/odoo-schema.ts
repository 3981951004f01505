/**
 * Test fixture: Odoo 17's accounting tables as Odoo creates them in
 * PostgreSQL (account_move_line, account_move, account_account,
 * account_journal, res_partner), with their real column names and SQL
 * types (see ODOO.md: Char/Selection -> varchar, translated Char -> jsonb,
 * Monetary -> numeric, Many2one -> int4) and the comments Odoo writes:
 * the model's _description on the table, each field's string on its
 * column. Filled with a little generated data, personal data included
 * (partners' e-mails, phones, VAT numbers), for previews and classification.
 */
import type { Client } from 'pg';

const COLUMNS: Record<string, [string, string, string][]> = {
  res_partner: [
    ['id', 'serial primary key', 'ID'],
    ['name', 'varchar', 'Name'],
    ['complete_name', 'varchar', 'Complete Name'],
    ['email', 'varchar', 'Email'],
    ['phone', 'varchar', 'Phone'],
    ['mobile', 'varchar', 'Mobile'],
    ['vat', 'varchar', 'Tax ID'],
    ['company_registry', 'varchar', 'Company ID'],
    ['ref', 'varchar', 'Reference'],
    ['is_company', 'boolean', 'Is a Company'],
    ['street', 'varchar', 'Street'],
    ['zip', 'varchar', 'Zip'],
    ['city', 'varchar', 'City'],
    ['country_id', 'int4', 'Country'],
    ['parent_id', 'int4', 'Related Company'],
    ['commercial_partner_id', 'int4', 'Commercial Entity'],
    ['company_id', 'int4', 'Company'],
    ['customer_rank', 'int4', 'Customer Rank'],
    ['supplier_rank', 'int4', 'Supplier Rank'],
    ['active', 'boolean', 'Active'],
    ['create_date', 'timestamp', 'Created on'],
    ['write_date', 'timestamp', 'Last Updated on'],
  ],
  account_account: [
    ['id', 'serial primary key', 'ID'],
    ['name', 'jsonb not null', 'Account Name'],
    ['code', 'varchar(64) not null', 'Code'],
    ['account_type', 'varchar not null', 'Type'],
    ['reconcile', 'boolean', 'Allow Reconciliation'],
    ['deprecated', 'boolean', 'Deprecated'],
    ['currency_id', 'int4', 'Account Currency'],
    ['company_id', 'int4 not null', 'Company'],
    ['create_date', 'timestamp', 'Created on'],
    ['write_date', 'timestamp', 'Last Updated on'],
  ],
  account_journal: [
    ['id', 'serial primary key', 'ID'],
    ['name', 'jsonb not null', 'Journal Name'],
    ['code', 'varchar(5) not null', 'Short Code'],
    ['type', 'varchar not null', 'Type'],
    ['default_account_id', 'int4', 'Default Account'],
    ['suspense_account_id', 'int4', 'Suspense Account'],
    ['company_id', 'int4 not null', 'Company'],
    ['currency_id', 'int4', 'Currency'],
    ['refund_sequence', 'boolean', 'Dedicated Credit Note Sequence'],
    ['create_date', 'timestamp', 'Created on'],
    ['write_date', 'timestamp', 'Last Updated on'],
  ],
  account_move: [
    ['id', 'serial primary key', 'ID'],
    ['name', 'varchar', 'Number'],
    ['move_type', 'varchar not null', 'Type'],
    ['state', 'varchar not null', 'Status'],
    ['date', 'date not null', 'Date'],
    ['invoice_date', 'date', 'Invoice/Bill Date'],
    ['invoice_date_due', 'date', 'Due Date'],
    ['ref', 'varchar', 'Reference'],
    ['payment_reference', 'varchar', 'Payment Reference'],
    ['partner_id', 'int4', 'Partner'],
    ['commercial_partner_id', 'int4', 'Commercial Entity'],
    ['journal_id', 'int4 not null', 'Journal'],
    ['company_id', 'int4', 'Company'],
    ['currency_id', 'int4 not null', 'Currency'],
    ['amount_untaxed', 'numeric', 'Untaxed Amount'],
    ['amount_tax', 'numeric', 'Tax'],
    ['amount_total', 'numeric', 'Total'],
    ['amount_residual', 'numeric', 'Amount Due'],
    ['amount_total_signed', 'numeric', 'Total Signed'],
    ['payment_state', 'varchar', 'Payment Status'],
    ['reversed_entry_id', 'int4', 'Reversal of'],
    ['posted_before', 'boolean', 'Posted Before'],
    ['create_date', 'timestamp', 'Created on'],
    ['write_date', 'timestamp', 'Last Updated on'],
  ],
  account_move_line: [
    ['id', 'serial primary key', 'ID'],
    ['move_id', 'int4 not null', 'Journal Entry'],
    ['move_name', 'varchar', 'Number'],
    ['parent_state', 'varchar', 'Status'],
    ['date', 'date', 'Date'],
    ['journal_id', 'int4', 'Journal'],
    ['company_id', 'int4', 'Company'],
    ['company_currency_id', 'int4', 'Company Currency'],
    ['account_id', 'int4', 'Account'],
    ['partner_id', 'int4', 'Partner'],
    ['name', 'varchar', 'Label'],
    ['display_type', 'varchar', 'Display Type'],
    ['debit', 'numeric', 'Debit'],
    ['credit', 'numeric', 'Credit'],
    ['balance', 'numeric', 'Balance'],
    ['amount_currency', 'numeric', 'Amount in Currency'],
    ['currency_id', 'int4 not null', 'Currency'],
    ['amount_residual', 'numeric', 'Residual Amount'],
    ['reconciled', 'boolean', 'Reconciled'],
    ['full_reconcile_id', 'int4', 'Matching'],
    ['matching_number', 'varchar', 'Matching #'],
    ['date_maturity', 'date', 'Due Date'],
    ['analytic_distribution', 'jsonb', 'Analytic Distribution'],
    ['create_date', 'timestamp', 'Created on'],
    ['write_date', 'timestamp', 'Last Updated on'],
  ],
};

/** Odoo writes the model's _description as the table's comment. */
export const ODOO_TABLES: Record<string, string> = {
  res_partner: 'Contact',
  account_account: 'Account',
  account_journal: 'Journal',
  account_move: 'Journal Entry',
  account_move_line: 'Journal Item',
};

export const odooColumns = (table: string): string[] => COLUMNS[table]!.map(([name]) => name);

const PEOPLE = ['Marie Dupont', 'Jean Martin', 'Sophie Bernard', 'Lukas Schmidt', 'Anna Müller', 'Pieter de Vries', 'Sofia Rossi', 'Carlos García', 'Emma Janssens', 'Louis Lefèvre'];
const VATS = ['FR40303265045', 'BE0411905847', 'DE136695976', 'FR83404833048', 'NL004495445B01'];

/** Create the tables in `schema` of the database `client` is connected to, with `lines` journal items. */
export async function createOdooSchema(client: Client, options: { schema?: string; lines?: number } = {}): Promise<void> {
  const schema = options.schema ?? 'public';
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  if (schema !== 'public') await client.query(`create schema if not exists ${q(schema)}`);
  for (const [table, columns] of Object.entries(COLUMNS)) {
    await client.query(`create table ${q(schema)}.${table} (${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`);
    await client.query(`comment on table ${q(schema)}.${table} is '${ODOO_TABLES[table]!.replace(/'/g, "''")}'`);
    for (const [n, , c] of columns) await client.query(`comment on column ${q(schema)}.${table}.${n} is '${c.replace(/'/g, "''")}'`);
  }
  const s = q(schema);
  await client.query(
    `insert into ${s}.res_partner (name, complete_name, email, phone, vat, is_company, city, company_id, active, create_date)
     select p.name, p.name, lower(replace(p.name, ' ', '.')) || '@example.com', '+33 1 ' || lpad((10 + i)::text, 2, '0') || ' 45 67 89',
            case when i % 2 = 0 then ($2::text[])[(i / 2) % 5 + 1] end, false, 'Lyon', 1, true, now()
       from generate_series(1, 40) i, lateral (select ($1::text[])[(i - 1) % 10 + 1] as name) p`,
    [PEOPLE, VATS],
  );
  await client.query(
    `insert into ${s}.account_account (name, code, account_type, reconcile, company_id)
     values ('{"en_US": "Account Receivable"}', '411000', 'asset_receivable', true, 1),
            ('{"en_US": "Account Payable"}', '401000', 'liability_payable', true, 1),
            ('{"en_US": "Product Sales"}', '707000', 'income', false, 1),
            ('{"en_US": "Bank"}', '512000', 'asset_cash', false, 1)`,
  );
  await client.query(
    `insert into ${s}.account_journal (name, code, type, company_id) values ('{"en_US": "Customer Invoices"}', 'INV', 'sale', 1), ('{"en_US": "Vendor Bills"}', 'BILL', 'purchase', 1), ('{"en_US": "Bank"}', 'BNK1', 'bank', 1)`,
  );
  const lines = options.lines ?? 200;
  const moves = Math.max(1, Math.ceil(lines / 2));
  await client.query(
    `insert into ${s}.account_move (name, move_type, state, date, partner_id, commercial_partner_id, journal_id, company_id, currency_id, amount_total, amount_total_signed, payment_state)
     select 'INV/2026/' || lpad(i::text, 5, '0'), 'out_invoice', case when i % 5 = 0 then 'draft' else 'posted' end, date '2026-11-01' + (i % 30), 1 + i % 40, 1 + i % 40, 1, 1, 1, (i % 97) * 10.5, (i % 97) * 10.5, 'not_paid'
       from generate_series(1, $1::int) i`,
    [moves],
  );
  await client.query(
    `insert into ${s}.account_move_line (move_id, move_name, parent_state, date, journal_id, company_id, company_currency_id, account_id, partner_id, name, display_type, debit, credit, balance, currency_id)
     select m.id, m.name, m.state, m.date, 1, 1, 1, case when k = 0 then 1 else 3 end, m.partner_id, m.name, 'product',
            case when k = 0 then m.amount_total else 0 end, case when k = 1 then m.amount_total else 0 end,
            case when k = 0 then m.amount_total else -m.amount_total end, 1
       from ${s}.account_move m cross join generate_series(0, 1) k`,
  );
  await client.query(`analyze`);
}
