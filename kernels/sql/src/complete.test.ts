import { complete, inspect, quoteIdent, type CompletionCatalog } from './complete';
import { DuckDbEngine } from './engine-duckdb';

let engine: DuckDbEngine;
let catalog: CompletionCatalog;

beforeAll(async () => {
  engine = await DuckDbEngine.open(':memory:');
  await engine.query(`
    CREATE SCHEMA sales;
    CREATE TABLE sales.orders (id BIGINT, customer_id INTEGER, "Total Amount" DECIMAL(12,2), placed DATE);
    CREATE TABLE customers (id INTEGER, name VARCHAR, country VARCHAR);
    CREATE TABLE countries (code VARCHAR, name VARCHAR);
    CREATE VIEW big_orders AS SELECT * FROM sales.orders WHERE "Total Amount" > 100`);
  catalog = { ...(await engine.catalog()), connections: ['odoo', 'finance', 'warehouse'] };
});

afterAll(async () => {
  await engine[Symbol.asyncDispose]();
});

/** Complete at the `|` in `code`. */
function at(codeWithCursor: string) {
  const pos = [...codeWithCursor.slice(0, codeWithCursor.indexOf('|'))].length;
  const code = codeWithCursor.replace('|', '');
  const reply = complete(code, pos, catalog);
  return { ...reply, replaced: [...code].slice(reply.cursor_start, reply.cursor_end).join('') };
}

describe('complete', () => {
  it('offers tables after FROM and JOIN, schema-qualified outside the default schema', () => {
    const r = at('SELECT * FROM c|');
    expect(r.matches).toEqual(['countries', 'customers']);
    expect(r.replaced).toBe('c');
    expect(at('select * from customers c join |').matches.slice(0, 5)).toEqual(['big_orders', 'countries', 'customers', 'sales.orders', 'main']);
    expect(at('select * from customers, s|').matches).toEqual(['sales.orders', 'sales']);
  });

  it('offers the tables of a schema after `schema.`', () => {
    const r = at('SELECT * FROM sales.o|');
    expect(r.matches).toEqual(['orders']);
    expect(r.replaced).toBe('o');
    expect(at('SELECT * FROM sales.|').matches).toEqual(['orders']);
  });

  it('offers columns after `table.` and `alias.`, quoting names that need it', () => {
    expect(at('SELECT customers.| FROM customers').matches).toEqual(['id', 'name', 'country']);
    expect(at('SELECT o.| FROM sales.orders AS o').matches).toEqual(['id', 'customer_id', '"Total Amount"', 'placed']);
    expect(at('SELECT o.T| FROM sales.orders o').matches).toEqual(['"Total Amount"']);
    expect(at('SELECT c.na| FROM sales.orders o JOIN customers c ON c.id = o.customer_id').matches).toEqual(['name']);
    expect(at('SELECT * FROM sales.orders o JOIN customers c ON c.id = o.c|').matches).toEqual(['customer_id']);
    expect(at('SELECT sales.orders.p| FROM sales.orders').matches).toEqual(['placed']);
  });

  it('offers columns in scope, then keywords and functions, in the case being typed', () => {
    const r = at('select co| from customers');
    expect(r.matches).toEqual(['country', 'collate', 'column', 'columns', 'comment', 'commit', 'conflict', 'constraint', 'copy', 'coalesce', 'concat', 'concat_ws', 'count', 'countries']);
    expect(at('SELECT * FROM customers WH|').matches).toEqual(['WHEN', 'WHERE']);
    expect(at('SELECT * FROM customers wh|').matches).toEqual(['when', 'where']);
    expect(at('SELECT na| FROM customers c, countries k').matches).toEqual(['name', 'natural']);
  });

  it('knows CTE names', () => {
    expect(at('WITH recent AS (SELECT 1) SELECT * FROM re|').matches).toEqual(['recent']);
  });

  it('completes inside a quoted identifier, keeping the quote', () => {
    const r = at('SELECT "To| FROM sales.orders');
    expect(r.matches).toEqual(['"Total Amount"']);
    expect(r.replaced).toBe('"To');
  });

  it('offers nothing inside strings and comments', () => {
    expect(at("SELECT 'cu|' FROM customers").matches).toEqual([]);
    expect(at('SELECT 1 -- cu|').matches).toEqual([]);
    expect(at('SELECT /* cu| */ 1').matches).toEqual([]);
  });

  it('only looks at the statement under the cursor for aliases', () => {
    expect(at('SELECT o.| FROM customers o; SELECT 1 FROM sales.orders o').matches).toEqual(['id', 'name', 'country']);
    expect(at('SELECT 1 FROM customers o; SELECT o.| FROM sales.orders o').matches).toEqual(['id', 'customer_id', '"Total Amount"', 'placed']);
  });

  it('completes connection names after %connect, and SQL after magic lines', () => {
    const r = at('%connect f|');
    expect(r.matches).toEqual(['finance']);
    expect(r.replaced).toBe('f');
    expect(at('%%sql -> x\nSELECT * FROM cus|').matches).toEqual(['customers']);
  });

  it('counts the cursor in code points', () => {
    const r = at("SELECT '😀😀', cou| FROM customers");
    expect(r.replaced).toBe('cou');
    expect(r.cursor_start).toBe([..."SELECT '😀😀', "].length);
    expect(r.metadata._jupyter_types_experimental[0]).toMatchObject({ text: 'country', type: 'column' });
  });

  it('quotes identifiers only when needed', () => {
    expect(['orders', 'Orders', 'total amount', 'select', 'a"b', '_x1'].map(quoteIdent)).toEqual(['orders', '"Orders"', '"total amount"', '"select"', '"a""b"', '_x1']);
  });
});

describe('inspect', () => {
  const look = (codeWithCursor: string) => {
    const pos = [...codeWithCursor.slice(0, codeWithCursor.indexOf('|'))].length;
    return inspect(codeWithCursor.replace('|', ''), pos, catalog);
  };

  it('shows the columns of a table, view or alias under the cursor', () => {
    const r = look('SELECT * FROM sales.ord|ers');
    expect(r.found).toBe(true);
    expect(r.data['text/plain']).toBe(['sales.orders (table, 4 columns)', '  id            BIGINT', '  customer_id   INTEGER', '  Total Amount  DECIMAL(12,2)', '  placed        DATE'].join('\n'));
    expect(r.data['text/html']).toContain('<td style="text-align:left">Total Amount</td><td style="text-align:left">DECIMAL(12,2)</td>');
    expect(look('SELECT * FROM big_o|rders').data['text/plain']).toMatch(/^main\.big_orders \(view, 4 columns\)/);
    expect(look('SELECT c|.name FROM customers c').data['text/plain']).toMatch(/^main\.customers \(table, 3 columns\)/);
  });

  it('shows a column with its type and table', () => {
    expect(look('SELECT c.coun|try FROM customers c').data['text/plain']).toBe('country: VARCHAR\ncolumn of main.customers');
    expect(look('SELECT placed| FROM sales.orders').data['text/plain']).toBe('placed: DATE\ncolumn of sales.orders');
    expect(look('SELECT o."Total Amount|" FROM sales.orders o').data['text/plain']).toBe('Total Amount: DECIMAL(12,2)\ncolumn of sales.orders');
  });

  it('finds nothing for keywords and unknown names', () => {
    expect(look('SEL|ECT 1')).toEqual({ found: false, data: {} });
    expect(look('SELECT * FROM nope|')).toEqual({ found: false, data: {} });
    expect(look("SELECT '<b>|'")).toEqual({ found: false, data: {} });
  });
});
