/**
 * How names are spelled (types.ts says what they mean): one function per
 * kind, so the SQL, Python and graph code agree.
 */

/** The SQL kernel's shared DuckDB (`WAREHOUSE` in @workbench/sql-kernel, `WAREHOUSE_SOURCE` in the catalog). */
export const WAREHOUSE = 'warehouse';

export interface TableParts {
  catalog?: string;
  schema?: string;
  name: string;
}

/** The schema of an unqualified table: DuckDB's `main` in the warehouse, PostgreSQL's `public` elsewhere. */
export function defaultSchema(connection: string): string {
  return connection === WAREHOUSE ? 'main' : 'public';
}

/**
 * `table:sales`, `table:gold.revenue`, `table:odoo:res_partner`. Lower case
 * (DuckDB matches identifiers case-insensitively, quoted or not; on
 * PostgreSQL a quoted "Sales" is taken for sales: an approximation), the
 * connection's default schema left out so `main.sales` and `sales` meet.
 */
export function tableName(t: TableParts, connection: string): string {
  const lower = (s: string | undefined) => (s === undefined || s === '' ? undefined : s.toLowerCase());
  const catalog = lower(t.catalog);
  let schema = lower(t.schema);
  if (!catalog && schema === defaultSchema(connection)) schema = undefined;
  const qualified = [catalog, schema ?? (catalog ? defaultSchema(connection) : undefined), t.name.toLowerCase()].filter((p): p is string => p !== undefined).join('.');
  return connection === WAREHOUSE ? `table:${qualified}` : `table:${connection}:${qualified}`;
}

export const paramName = (name: string): string => `param:${name}`;
export const checkName = (name: string): string => `check:${name}`;

/** Names shared across languages (tables, parameters, checks) hold a `:`; variables do not. */
export const isSharedName = (name: string): boolean => name.includes(':');

/**
 * Accumulates one cell's names in execution order: a read of a name the
 * cell itself defined earlier is local, not a read of the cell.
 */
export class NameCollector {
  private readonly defined = new Set<string>();
  private readonly read = new Set<string>();
  private readonly notes: string[] = [];

  use(name: string): void {
    if (!this.defined.has(name)) this.read.add(name);
  }

  define(name: string): void {
    this.defined.add(name);
  }

  /** INSERT/UPDATE/DELETE/ALTER, `x += 1`: needs the earlier state, and changes it. */
  mutate(name: string): void {
    this.use(name);
    this.define(name);
  }

  note(message: string): void {
    if (!this.notes.includes(message)) this.notes.push(message);
  }

  result(): { defines: string[]; reads: string[]; errors?: string } {
    const out = { defines: [...this.defined].sort(), reads: [...this.read].sort() };
    return this.notes.length ? { ...out, errors: this.notes.join('\n') } : out;
  }
}
