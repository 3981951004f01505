import { LineageParser } from './lineage';
import type { LineageDialect, LineageOptions, LineageResult, SourceColumn, StatementLineage, TableRef } from './types';

const parser = new LineageParser();
afterAll(async () => {
  await parser[Symbol.asyncDispose]();
});

const tname = (t: TableRef) => [t.catalog, t.schema, t.name].filter((x) => x !== undefined).join('.');
const fmt = (s: SourceColumn) => `${tname(s.ref.table)}.${s.ref.column}:${s.transform}${s.ambiguous ? `?[${(s.candidates ?? []).map(tname).join(',')}]` : ''}`;
/** target -> sorted "schema.table.column:transform" */
const columns = (st: StatementLineage) => Object.fromEntries(st.columns.map((c) => [c.target, c.sources.map(fmt).sort()]));
const indirect = (st: StatementLineage) => st.indirect.map((r) => `${tname(r.table)}.${r.column}`).sort();

async function one(sql: string, dialect: LineageDialect, options?: LineageOptions): Promise<StatementLineage> {
  const r = await parser.lineageOf(sql, dialect, options);
  if (r.status !== 'parsed') throw new Error(`unparsed: ${r.error}`);
  expect(r.statements).toHaveLength(1);
  return r.statements[0]!;
}

const BOTH: LineageDialect[] = ['duckdb', 'postgres'];
const schemaOf = (d: LineageDialect) => (d === 'duckdb' ? 'main' : 'public');

describe.each(BOTH)('%s', (dialect) => {
  const main = schemaOf(dialect);

  test('acceptance: a CTAS joining two sources, at column level', async () => {
    const sql = `CREATE TABLE gold.partner_balance AS
      SELECT p.name AS partner, SUM(l.debit - l.credit) AS balance
      FROM bronze.account_move_line l JOIN bronze.res_partner p ON p.id = l.partner_id
      WHERE l.parent_state = 'posted'
      GROUP BY p.name`;
    const st = await one(sql, dialect);
    expect(st.kind).toBe('create_table_as');
    expect(st.target).toEqual({ schema: 'gold', name: 'partner_balance' });
    expect(st.reads).toEqual([
      { schema: 'bronze', name: 'account_move_line' },
      { schema: 'bronze', name: 'res_partner' },
    ]);
    expect(columns(st)).toEqual({
      partner: ['bronze.res_partner.name:identity'],
      balance: ['bronze.account_move_line.credit:aggregate', 'bronze.account_move_line.debit:aggregate'],
    });
    // JOIN ON and WHERE columns, and the GROUP BY key.
    expect(indirect(st)).toEqual(['bronze.account_move_line.parent_state', 'bronze.account_move_line.partner_id', 'bronze.res_partner.id', 'bronze.res_partner.name']);
    expect(st.indirectUses.find((u) => u.ref.column === 'id')?.uses).toEqual(['join']);
    expect(st.indirectUses.find((u) => u.ref.column === 'parent_state')?.uses).toEqual(['filter']);
    expect(st.indirectUses.find((u) => u.ref.column === 'name')?.uses).toEqual(['group_by']);
    expect(st.sql).toBe(sql);
  });

  test('CTEs: nested, referenced twice, resolved to base tables', async () => {
    const st = await one(
      `WITH moves AS (SELECT partner_id, debit - credit AS amount, date FROM account_move_line WHERE state = 'posted'),
            by_partner AS (SELECT partner_id, SUM(amount) AS total FROM moves GROUP BY partner_id)
       SELECT b.partner_id, b.total, (SELECT MAX(m.date) FROM moves m WHERE m.partner_id = b.partner_id) AS last_move
       FROM by_partner b`,
      dialect,
    );
    expect(st.kind).toBe('select');
    expect(st.reads).toEqual([{ schema: main, name: 'account_move_line' }]);
    expect(columns(st)).toEqual({
      partner_id: [`${main}.account_move_line.partner_id:identity`],
      total: [`${main}.account_move_line.credit:aggregate`, `${main}.account_move_line.debit:aggregate`],
      last_move: [`${main}.account_move_line.date:aggregate`],
    });
    expect(indirect(st)).toEqual([`${main}.account_move_line.partner_id`, `${main}.account_move_line.state`]);
  });

  test('a CTE named like a table reads the table inside itself', async () => {
    const st = await one('WITH t AS (SELECT a + 1 AS a FROM t) SELECT a FROM t', dialect);
    expect(st.reads).toEqual([{ schema: main, name: 't' }]);
    expect(columns(st)).toEqual({ a: [`${main}.t.a:expression`] });
  });

  test('recursive CTE', async () => {
    const st = await one(
      `WITH RECURSIVE tree(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM account_account WHERE parent_id IS NULL
         UNION ALL
         SELECT a.id, a.parent_id, t.depth + 1 FROM account_account a JOIN tree t ON a.parent_id = t.id)
       SELECT id, depth FROM tree`,
      dialect,
    );
    expect(st.reads).toEqual([{ schema: main, name: 'account_account' }]);
    expect(columns(st)).toEqual({ id: [`${main}.account_account.id:identity`], depth: [] });
  });

  test('window functions: the value is window, PARTITION BY and ORDER BY are indirect', async () => {
    const st = await one(
      `SELECT account_id, date, SUM(balance) OVER (PARTITION BY account_id ORDER BY date) AS running,
              ROW_NUMBER() OVER (PARTITION BY company_id ORDER BY date DESC) AS rn
       FROM ledger`,
      dialect,
    );
    expect(columns(st)).toEqual({
      account_id: [`${main}.ledger.account_id:identity`],
      date: [`${main}.ledger.date:identity`],
      running: [`${main}.ledger.balance:window`],
      rn: [],
    });
    expect(indirect(st)).toEqual([`${main}.ledger.account_id`, `${main}.ledger.company_id`, `${main}.ledger.date`]);
    expect(st.indirectUses.every((u) => u.uses.includes('window'))).toBe(true);
  });

  test('UNION: column i of each branch, names from the first', async () => {
    const st = await one('SELECT id, amount AS value FROM invoices UNION ALL SELECT id, -amount FROM refunds ORDER BY value', dialect);
    expect(columns(st)).toEqual({
      id: [`${main}.invoices.id:identity`, `${main}.refunds.id:identity`],
      value: [`${main}.invoices.amount:identity`, `${main}.refunds.amount:expression`],
    });
    expect(st.reads.map(tname)).toEqual([`${main}.invoices`, `${main}.refunds`]);
    expect(st.indirectUses.filter((u) => u.uses.includes('sort')).map((u) => u.ref.column)).toEqual(['amount', 'amount']);
  });

  test('INSERT ... SELECT maps the target columns by position', async () => {
    const st = await one(
      `INSERT INTO gold.daily (day, company, total)
       SELECT CAST(m.date AS DATE), c.name, SUM(m.amount) FROM moves m LEFT JOIN companies c USING (company_id) GROUP BY 1, 2`,
      dialect,
    );
    expect(st.kind).toBe('insert');
    expect(st.target).toEqual({ schema: 'gold', name: 'daily' });
    expect(columns(st)).toEqual({
      day: [`${main}.moves.date:expression`],
      company: [`${main}.companies.name:identity`],
      total: [`${main}.moves.amount:aggregate`],
    });
    expect(indirect(st)).toEqual([`${main}.companies.company_id`, `${main}.companies.name`, `${main}.moves.company_id`, `${main}.moves.date`]);
  });

  test('INSERT without a column list: names from columnsOf, else positions', async () => {
    const sql = 'INSERT INTO archive SELECT id, amount * 2 FROM invoices';
    const known = await one(sql, dialect, { columnsOf: (t) => (t.name === 'archive' ? ['invoice_id', 'doubled'] : undefined) });
    expect(columns(known)).toEqual({ invoice_id: [`${main}.invoices.id:identity`], doubled: [`${main}.invoices.amount:expression`] });
    const unknown = await one(sql, dialect);
    expect(unknown.columns.map((c) => c.target)).toEqual(['#1', '#2']);
  });

  test('star: expanded with columnsOf, else one "*" column per table', async () => {
    const columnsOf = (t: TableRef) => (t.name === 'partners' ? ['id', 'name', 'vat'] : undefined);
    const known = await one('CREATE VIEW v AS SELECT p.*, o.total FROM partners p JOIN orders o ON o.partner_id = p.id', dialect, { columnsOf });
    expect(known.kind).toBe('create_view');
    expect(columns(known)).toEqual({
      id: [`${main}.partners.id:identity`],
      name: [`${main}.partners.name:identity`],
      vat: [`${main}.partners.vat:identity`],
      total: [`${main}.orders.total:identity`],
    });
    const unknown = await one('SELECT * FROM orders', dialect);
    expect(unknown.columns).toEqual([{ target: '*', sources: [{ ref: { table: { schema: main, name: 'orders' }, column: '*' }, transform: 'identity' }] }]);
    const both = await one('SELECT * FROM partners p JOIN orders o ON o.partner_id = p.id ORDER BY 2, 5', dialect, { columnsOf });
    expect(both.columns.map((c) => c.target)).toEqual(['id', 'name', 'vat', '*']);
    // Position 5 is past the unexpanded orders.*: some column of orders, not recorded.
    expect(both.indirectUses.filter((u) => u.uses.includes('sort')).map((u) => u.ref.column)).toEqual(['name']);
  });

  test('star through a subquery, and a column picked out of an unexpanded star', async () => {
    const st = await one('SELECT x.total FROM (SELECT * FROM orders WHERE state = 1) x', dialect);
    expect(columns(st)).toEqual({ total: [`${main}.orders.total:identity`] });
    expect(indirect(st)).toEqual([`${main}.orders.state`]);
  });

  test('unqualified columns: the one table having them, else ambiguous (never guessed)', async () => {
    const columnsOf = (t: TableRef) => (t.name === 'a' ? ['id', 'x'] : t.name === 'b' ? ['id', 'y'] : undefined);
    const st = await one('SELECT x, y FROM a JOIN b ON a.id = b.id', dialect, { columnsOf });
    expect(columns(st)).toEqual({ x: [`${main}.a.x:identity`], y: [`${main}.b.y:identity`] });
    const amb = await one('SELECT x FROM a2 JOIN b2 ON a2.id = b2.id', dialect);
    expect(amb.columns[0]!.sources).toEqual([
      { ref: { table: { name: '?' }, column: 'x' }, transform: 'identity', ambiguous: true, candidates: [{ schema: main, name: 'a2' }, { schema: main, name: 'b2' }] },
    ]);
    const single = await one('SELECT x FROM only_table', dialect);
    expect(columns(single)).toEqual({ x: [`${main}.only_table.x:identity`] });
  });

  test('JOIN USING merges the column; subquery in FROM; correlated EXISTS', async () => {
    const st = await one(
      `SELECT company_id, s.n FROM a LEFT JOIN b USING (company_id)
       JOIN (SELECT company_id AS cid, COUNT(*) AS n FROM c GROUP BY company_id) s ON s.cid = a.company_id
       WHERE EXISTS (SELECT 1 FROM d WHERE d.k = a.k)`,
      dialect,
    );
    expect(columns(st)).toEqual({ company_id: [`${main}.a.company_id:identity`], n: [] });
    expect(st.reads.map(tname)).toEqual([`${main}.a`, `${main}.b`, `${main}.c`, `${main}.d`]);
    expect(indirect(st)).toEqual([`${main}.a.company_id`, `${main}.a.k`, `${main}.b.company_id`, `${main}.c.company_id`, `${main}.d.k`]);
  });

  test('expressions: CASE, casts, functions, COALESCE, scalar subquery', async () => {
    const st = await one(
      `SELECT CASE WHEN l.debit > 0 THEN 'D' ELSE 'C' END AS side, CAST(l.amount AS DECIMAL(12,2)) AS amt,
              UPPER(p.name) AS uname, COALESCE(l.ref, p.ref) AS ref,
              (SELECT name FROM currencies c WHERE c.id = l.currency_id) AS currency
       FROM lines l JOIN partners p ON p.id = l.partner_id`,
      dialect,
    );
    expect(columns(st)).toEqual({
      side: [`${main}.lines.debit:expression`],
      amt: [`${main}.lines.amount:expression`],
      uname: [`${main}.partners.name:expression`],
      ref: [`${main}.lines.ref:expression`, `${main}.partners.ref:expression`],
      currency: [`${main}.currencies.name:identity`],
    });
    expect(indirect(st)).toContain(`${main}.currencies.id`);
    expect(indirect(st)).toContain(`${main}.lines.currency_id`);
  });

  test('quoted identifiers keep their spelling (Unicode, doubled quotes); unquoted fold', async () => {
    const st = await one('CREATE TABLE Gold."Soldes Été" AS SELECT e."Montant ""TTC""" AS "Total", e.Compte FROM "Écritures ""2026""" e', dialect);
    expect(st.target).toEqual({ schema: 'gold', name: 'Soldes Été' });
    expect(st.reads).toEqual([{ schema: main, name: 'Écritures "2026"' }]);
    expect(columns(st)).toEqual({
      Total: [`${main}.Écritures "2026".Montant "TTC":identity`],
      compte: [`${main}.Écritures "2026".compte:identity`],
    });
  });

  test('UPDATE and DELETE: kind, target, reads', async () => {
    const up = await one("UPDATE invoices i SET state = 'paid', paid_amount = p.amount FROM payments p WHERE p.invoice_id = i.id", dialect);
    expect(up.kind).toBe('update');
    expect(up.target).toEqual({ schema: main, name: 'invoices' });
    expect(up.reads).toEqual([{ schema: main, name: 'payments' }]);
    expect(columns(up)).toEqual({ state: [], paid_amount: [`${main}.payments.amount:identity`] });
    expect(indirect(up)).toEqual([`${main}.invoices.id`, `${main}.payments.invoice_id`]);
    const del = await one('DELETE FROM staging.rows WHERE batch_id IN (SELECT id FROM staging.batches WHERE done)', dialect);
    expect(del.kind).toBe('delete');
    expect(del.target).toEqual({ schema: 'staging', name: 'rows' });
    expect(del.reads).toEqual([{ schema: 'staging', name: 'batches' }]);
    expect(del.columns).toEqual([]);
  });

  test('several statements, each analysed; other statements are "other"', async () => {
    const sql = `SET search_path = public; CREATE TABLE x (a INT);
      -- the view
      CREATE OR REPLACE VIEW v AS SELECT a FROM x;
      DROP TABLE y`;
    const r = await parser.lineageOf(sql, dialect);
    expect(r.status).toBe('parsed');
    const sts = (r as Extract<LineageResult, { status: 'parsed' }>).statements;
    expect(sts.map((s) => s.kind)).toEqual(['other', 'other', 'create_view', 'other']);
    expect(sts[2]!.sql).toBe('CREATE OR REPLACE VIEW v AS SELECT a FROM x');
    expect(sql.slice(sts[2]!.offset, sts[2]!.offset + sts[2]!.sql.length)).toBe(sts[2]!.sql);
    expect(sts[3]!.sql).toBe('DROP TABLE y');
  });

  test('an empty input is parsed with no statements', async () => {
    expect(await parser.lineageOf('', dialect)).toEqual({ status: 'parsed', dialect, statements: [] });
    expect(await parser.lineageOf('  -- nothing\n ; ', dialect)).toEqual({ status: 'parsed', dialect, statements: [] });
    expect((await parser.lineageOf('/* not closed', dialect)).status).toBe('unparsed');
  });

  test('SQL that does not parse is unparsed with the parser message, and no statements', async () => {
    const sql = 'SELECT 1;\nSELECT é, amount FROMM moves';
    const r = await parser.lineageOf(sql, dialect);
    expect(r.status).toBe('unparsed');
    if (r.status !== 'unparsed') return;
    expect(r.error).toMatch(/syntax error at or near "moves"/);
    expect(r.position).toBe(sql.indexOf('moves'));
    expect(r).not.toHaveProperty('statements');
    const astral = 'SELECT "😀 ½", amount FROMM moves';
    const r2 = await parser.lineageOf(astral, dialect);
    expect(r2.status === 'unparsed' && r2.position).toBe(astral.indexOf('moves'));
  });
});

describe('duckdb specifics', () => {
  test('CREATE OR REPLACE TABLE with DuckDB syntax (FROM-first, GROUP BY ALL, EXCLUDE, QUALIFY)', async () => {
    const st = await one(
      `CREATE OR REPLACE TABLE gold.latest AS
       FROM bronze.rates SELECT * EXCLUDE (raw), currency AS ccy
       QUALIFY ROW_NUMBER() OVER (PARTITION BY currency ORDER BY day DESC) = 1`,
      'duckdb',
      { columnsOf: (t) => (t.name === 'rates' ? ['currency', 'day', 'rate', 'raw'] : undefined) },
    );
    expect(st.kind).toBe('create_table_as');
    expect(columns(st)).toEqual({
      currency: ['bronze.rates.currency:identity'],
      day: ['bronze.rates.day:identity'],
      rate: ['bronze.rates.rate:identity'],
      ccy: ['bronze.rates.currency:identity'],
    });
    expect(indirect(st)).toEqual(['bronze.rates.currency', 'bronze.rates.day']);
    const grouped = await one('SELECT company, SUM(amount) FROM moves GROUP BY ALL', 'duckdb');
    expect(grouped.columns.map((c) => c.target)).toEqual(['company', 'sum(amount)']);
    expect(indirect(grouped)).toEqual(['main.moves.company']);
  });

  test('unaliased expressions are named as DuckDB names them', async () => {
    const st = await one('SELECT SUM(l.debit - l.credit), COUNT(*), l.account_id + 1, amount FROM lines l', 'duckdb');
    expect(st.columns.map((c) => c.target)).toEqual(['sum((l.debit - l.credit))', 'count_star()', '(l.account_id + 1)', 'amount']);
  });

  test('json_serialize_sql errors make the result unparsed', async () => {
    const r = await parser.lineageOf('CREATE TABLE p AS PIVOT rates ON currency USING first(rate)', 'duckdb');
    expect(r.status).toBe('unparsed');
    if (r.status === 'unparsed') expect(r.error).toMatch(/Only SELECT statements/);
  });

  test('file scans and table functions are not tables', async () => {
    const st = await one("SELECT r.a, g.x FROM 'data/rates.csv' r, generate_series(1, 3) g(x)", 'duckdb');
    expect(st.reads).toEqual([]);
    expect(columns(st)).toEqual({ a: [], x: [] });
  });

  test('WITH in front of INSERT; INSERT BY NAME; lambdas are not columns', async () => {
    const st = await one('WITH s AS (SELECT id, tags FROM src) INSERT INTO dst BY NAME SELECT id, list_transform(tags, t -> upper(t)) AS tags FROM s', 'duckdb');
    expect(st.kind).toBe('insert');
    expect(columns(st)).toEqual({ id: ['main.src.id:identity'], tags: ['main.src.tags:expression'] });
  });
});

describe('postgres specifics', () => {
  test('SELECT INTO and materialized views; output names as PostgreSQL figures them', async () => {
    const into = await one('SELECT sum(amount), amount::int, count(*) INTO totals FROM moves', 'postgres');
    expect(into.kind).toBe('create_table_as');
    expect(into.target).toEqual({ schema: 'public', name: 'totals' });
    expect(into.columns.map((c) => c.target)).toEqual(['sum', 'amount', 'count']);
    const mv = await one('CREATE MATERIALIZED VIEW mv (total) AS SELECT amount + 1 FROM moves', 'postgres');
    expect(mv.kind).toBe('create_view');
    expect(columns(mv)).toEqual({ total: ['public.moves.amount:expression'] });
  });

  test('named windows, aggregate FILTER and WITHIN GROUP', async () => {
    const st = await one(
      `SELECT sum(amount) OVER w AS s, sum(amount) FILTER (WHERE state = 'posted') AS posted,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS med
       FROM moves WINDOW w AS (PARTITION BY journal_id)`,
      'postgres',
    );
    expect(columns(st)).toEqual({ s: ['public.moves.amount:window'], posted: ['public.moves.amount:aggregate'], med: ['public.moves.amount:aggregate'] });
    expect(indirect(st)).toEqual(['public.moves.journal_id', 'public.moves.state']);
  });

  test('an unknown qualifier is unresolved, not a guess', async () => {
    const st = await one('SELECT z.a FROM t', 'postgres');
    expect(st.columns[0]!.sources[0]).toMatchObject({ ref: { table: { name: '?' }, column: 'z.a' }, ambiguous: true });
  });
});

test('a disposed parser opens its DuckDB again when used', async () => {
  const own = new LineageParser();
  const a = await own.lineageOf('SELECT a FROM t', 'duckdb');
  await own[Symbol.asyncDispose]();
  const b = await own.lineageOf('SELECT a FROM t', 'duckdb', { defaultSchema: 'warehouse' });
  await own[Symbol.asyncDispose]();
  expect(a.status).toBe('parsed');
  expect(b.status === 'parsed' && b.statements[0]!.reads).toEqual([{ schema: 'warehouse', name: 't' }]);
});

test('an aborted signal stops before parsing', async () => {
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await expect(parser.lineageOf('SELECT 1', 'postgres', { signal: ac.signal })).rejects.toThrow('stop');
});
