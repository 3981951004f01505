/**
 * DDL for the demo database, the way Odoo 17 lays tables out: `id SERIAL`,
 * a column per stored field with Odoo's SQL type, NOT NULL for required
 * fields, `_sql_constraints` as CHECKs, the model's `_description` and
 * each field's label as comments, `<table>__<column>_index` indexes and
 * `<table>_<column>_fkey` foreign keys.
 *
 * Tables are created bare (no keys, no indexes) so COPY loads fast;
 * `finishTables` adds keys, indexes and foreign keys afterwards, spread
 * over several connections.
 */
import type { Client } from 'pg';
import { ODOO17_MODELS, ODOO17_RELATIONS, modelDef, sqlType, type ModelDef } from '../odoo17-models';

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export const DEMO_TABLES: readonly string[] = [...ODOO17_MODELS.map((m) => m.table), ...ODOO17_RELATIONS.map((r) => r.table)];

export function createTableSql(m: ModelDef): string {
  const cols = m.fields.map((f) => (f.name === 'id' ? 'id SERIAL NOT NULL' : `${f.name} ${sqlType(f)}${f.required ? ' NOT NULL' : ''}`));
  for (const c of m.checks ?? []) cols.push(`CONSTRAINT ${m.table}_${c.name} ${c.sql}`);
  const comments = [`COMMENT ON TABLE ${m.table} IS ${quote(m.description)}`, ...m.fields.map((f) => `COMMENT ON COLUMN ${m.table}.${f.name} IS ${quote(f.string)}`)];
  return [`CREATE TABLE ${m.table} (${cols.join(', ')})`, ...comments].join(';\n');
}

export async function createTables(client: Client): Promise<void> {
  const statements = ODOO17_MODELS.map(createTableSql);
  for (const r of ODOO17_RELATIONS) {
    statements.push(`CREATE TABLE ${r.table} (${r.column1} int4 NOT NULL, ${r.column2} int4 NOT NULL)`);
    statements.push(`COMMENT ON TABLE ${r.table} IS ${quote(`RELATION BETWEEN ${modelDef(r.relation1)!.table} AND ${modelDef(r.relation2)!.table}`)}`);
  }
  await client.query(`BEGIN;\n${statements.join(';\n')};\nCOMMIT`);
}

/** Work after the load, in phases whose statements may run on parallel connections. */
export function finishPhases(): string[][] {
  const present = new Set(DEMO_TABLES);
  const keys: string[] = [];
  const indexes: string[] = [];
  const fks: string[] = [];
  const validate: string[] = [];
  for (const m of ODOO17_MODELS) {
    keys.push(`ALTER TABLE ${m.table} ADD PRIMARY KEY (id)`);
    for (const f of m.fields) {
      if (f.index) indexes.push(`CREATE INDEX ${m.table}__${f.name}_index ON ${m.table} (${f.name})${f.index === 'btree_not_null' ? ` WHERE ${f.name} IS NOT NULL` : ''}`);
      const target = f.type === 'many2one' && f.relation ? modelDef(f.relation)?.table : undefined;
      if (target && present.has(target)) {
        const name = `${m.table}_${f.name}_fkey`;
        fks.push(`ALTER TABLE ${m.table} ADD CONSTRAINT ${name} FOREIGN KEY (${f.name}) REFERENCES ${target}(id) ON DELETE ${(f.ondelete ?? 'set null').toUpperCase()} NOT VALID`);
        validate.push(`ALTER TABLE ${m.table} VALIDATE CONSTRAINT ${name}`);
      }
    }
    for (const u of m.uniqueIndexes ?? []) indexes.push(`CREATE UNIQUE INDEX ${u.name} ON ${m.table} ${u.sql}`);
    for (const x of m.indexes ?? []) indexes.push(`CREATE INDEX ${x.name} ON ${m.table} ${x.sql}`);
  }
  for (const r of ODOO17_RELATIONS) {
    keys.push(`ALTER TABLE ${r.table} ADD PRIMARY KEY (${r.column1}, ${r.column2})`);
    indexes.push(`CREATE INDEX ${r.table}_${r.column2}_idx ON ${r.table} (${r.column2})`);
    for (const [col, rel] of [[r.column1, r.relation1], [r.column2, r.relation2]] as const) {
      const name = `${r.table}_${col}_fkey`;
      fks.push(`ALTER TABLE ${r.table} ADD CONSTRAINT ${name} FOREIGN KEY (${col}) REFERENCES ${modelDef(rel)!.table}(id) ON DELETE CASCADE NOT VALID`);
      validate.push(`ALTER TABLE ${r.table} VALIDATE CONSTRAINT ${name}`);
    }
  }
  const sequences = ODOO17_MODELS.map((m) => `SELECT setval(pg_get_serial_sequence('${m.table}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${m.table}`);
  return [keys, indexes, [fks.join(';\n')], validate, [...sequences, ...DEMO_TABLES.map((t) => `ANALYZE ${t}`)]];
}

/**
 * Run each phase's statements over `clients` (one statement at a time per
 * client), phase after phase. Statements that lock the same table are kept
 * on one client by grouping them per table, except index builds, which
 * share a table happily.
 */
export async function finishTables(clients: readonly Client[]): Promise<void> {
  for (const phase of finishPhases()) {
    const groups = new Map<string, string[]>();
    for (const s of phase) {
      const table = /^CREATE (UNIQUE )?INDEX/.test(s) ? s : (/^(?:ALTER TABLE|ANALYZE) (\w+)/.exec(s)?.[1] ?? s);
      groups.set(table, [...(groups.get(table) ?? []), s]);
    }
    // Largest first, so the long ones start early.
    const queue = [...groups.values()].sort((a, b) => weight(b) - weight(a));
    await Promise.all(
      clients.map(async (c) => {
        for (let g = queue.shift(); g; g = queue.shift()) for (const s of g) await c.query(s);
      }),
    );
  }
}

function weight(statements: string[]): number {
  const s = statements[0]!;
  return (/account_move_line\b/.test(s) ? 100 : /account_move\b|account_partial_reconcile|account_full_reconcile|account_bank_statement_line|_rel\b/.test(s) ? 10 : 1) * statements.length;
}
