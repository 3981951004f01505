/**
 * How the catalog names what it holds. A source is a connection's name or
 * `warehouse` (the shared DuckDB file). A table is (source, schema, name)
 * and a column adds its name; each may contain any character a database
 * allows (quotes, dots, slashes, Unicode), so the key is the JSON array of
 * its parts: unambiguous, and the same on both store dialects.
 */
export const WAREHOUSE_SOURCE = 'warehouse';

export interface TableName {
  source: string;
  schema: string;
  name: string;
}

export interface ColumnName extends TableName {
  column: string;
}

export function tableKey(t: TableName): string {
  return JSON.stringify([t.source, t.schema, t.name]);
}

export function columnKey(c: ColumnName): string {
  return JSON.stringify([c.source, c.schema, c.name, c.column]);
}

/** The parts of a key; undefined for anything that is not one. */
export function parseKey(key: string): TableName | ColumnName | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || (parts.length !== 3 && parts.length !== 4) || !parts.every((p) => typeof p === 'string')) return undefined;
  const [source, schema, name, column] = parts as string[];
  return column === undefined ? { source: source!, schema: schema!, name: name! } : { source: source!, schema: schema!, name: name!, column };
}

/** `odoo.public.account_move_line`, for display and search (not parseable: parts may hold dots). */
export function displayName(t: TableName, column?: string): string {
  return [t.source, t.schema, t.name, ...(column === undefined ? [] : [column])].join('.');
}

/** A SQL identifier in double quotes (both PostgreSQL and DuckDB). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
