/**
 * Test fixture: an Odoo-shaped accounting schema (account_account,
 * res_partner, account_move, account_move_line) in a fresh PostgreSQL
 * database on the local server, filled with generated data.
 */
import { Client } from 'pg';

export const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };

export async function createOdooDatabase(name: string, lines = 100_000): Promise<void> {
  const admin = new Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const c = new Client({ ...PG, database: name });
  await c.connect();
  try {
    await c.query(`
      CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar NOT NULL, vat varchar, is_company boolean DEFAULT false, active boolean DEFAULT true);
      CREATE TABLE account_account (id serial PRIMARY KEY, code varchar(64) NOT NULL, name varchar NOT NULL, account_type varchar NOT NULL, reconcile boolean DEFAULT false);
      CREATE TABLE account_move (id serial PRIMARY KEY, name varchar, date date NOT NULL, ref varchar, state varchar NOT NULL, move_type varchar NOT NULL, partner_id int REFERENCES res_partner(id), amount_total numeric(16,2));
      CREATE TABLE account_move_line (id serial PRIMARY KEY, move_id int NOT NULL REFERENCES account_move(id), account_id int NOT NULL REFERENCES account_account(id), partner_id int REFERENCES res_partner(id), name varchar, date date NOT NULL, debit numeric(16,2) DEFAULT 0, credit numeric(16,2) DEFAULT 0, balance numeric(16,2), reconciled boolean DEFAULT false);
      INSERT INTO res_partner (name, vat, is_company) SELECT 'Partner ' || i, 'VAT' || lpad(i::text, 8, '0'), i % 3 = 0 FROM generate_series(1, 500) i;
      INSERT INTO account_account (code, name, account_type, reconcile) SELECT (100000 + i * 10)::text, 'Account ' || i, (ARRAY['asset_receivable','liability_payable','income','expense','asset_cash'])[1 + i % 5], i % 5 < 2 FROM generate_series(1, 60) i;
    `);
    const moves = Math.ceil(lines / 2);
    await c.query(
      `INSERT INTO account_move (name, date, ref, state, move_type, partner_id, amount_total)
       SELECT 'MOVE/' || i, date '2026-01-01' + (i % 300), 'REF' || i, (ARRAY['draft','posted','posted','posted'])[1 + i % 4], (ARRAY['out_invoice','in_invoice','entry'])[1 + i % 3], 1 + i % 500, round((i % 997) * 10.5, 2)
       FROM generate_series(1, $1::int) i`,
      [moves],
    );
    await c.query(
      `INSERT INTO account_move_line (move_id, account_id, partner_id, name, date, debit, credit, balance)
       SELECT m.id, 1 + (m.id * 7 + s) % 60, m.partner_id, 'line ' || s, m.date,
              CASE WHEN s = 0 THEN m.amount_total ELSE 0 END, CASE WHEN s = 1 THEN m.amount_total ELSE 0 END,
              CASE WHEN s = 0 THEN m.amount_total ELSE -m.amount_total END
       FROM account_move m CROSS JOIN generate_series(0, 1) s`,
    );
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
