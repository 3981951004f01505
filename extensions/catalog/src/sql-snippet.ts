/**
 * The SQL "Insert SELECT" puts into a notebook cell:
 *
 *   -- connection: odoo                    (only for a source other than the warehouse)
 *   SELECT id, move_id, "Order", ...
 *   FROM public.account_move_line
 *   LIMIT 100
 *
 * Identifiers are quoted only when they must be: anything but lowercase
 * letters, digits and `_` (not starting with a digit), or a word
 * PostgreSQL or DuckDB reserves (the SQL kernel's list,
 * kernels/sql/src/sql-keywords.ts, with PostgreSQL's "reserved, can be
 * function or type" words, which cannot name a column either). The
 * `-- connection:` comment is what the SQL kernel reads to run a cell on a
 * connection (kernels/sql/src/magics.ts); it must lead the cell.
 */
import { WAREHOUSE_SOURCE, type TableRef } from './types';

const RESERVED = new Set(
  [
    'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate',
    'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp',
    'current_user', 'default', 'deferrable', 'desc', 'describe', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
    'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime',
    'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'pivot', 'placing', 'primary', 'qualify', 'references',
    'returning', 'select', 'session_user', 'some', 'summarize', 'symmetric', 'table', 'then', 'to', 'trailing', 'true', 'union',
    'unique', 'unpivot', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
    // PostgreSQL: reserved, but allowed as a function or type name.
    'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full', 'ilike', 'inner', 'is',
    'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps', 'right', 'similar', 'tablesample', 'verbose',
  ],
);

const BARE = /^[a-z_][a-z0-9_]*$/;

/** Whether `name` must be written in double quotes to mean itself. */
export function needsQuotes(name: string): boolean {
  return !BARE.test(name) || RESERVED.has(name);
}

/** `name`, or `"name"` with inner quotes doubled when it must be quoted. */
export function sqlIdent(name: string): string {
  return needsQuotes(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

export interface SelectSnippetOptions {
  /** Rows asked for (default 100). */
  limit?: number;
  /** Break the column list into lines of at most this many characters (default 72: a notebook cell beside the side bar at 1024 px). */
  width?: number;
}

/** The SELECT of `columns` (all of them as `*` when empty) from `table`, as a cell's text. */
export function selectSnippet(table: TableRef, columns: readonly string[], options: SelectSnippetOptions = {}): string {
  const limit = options.limit ?? 100;
  const width = options.width ?? 72;
  const lines: string[] = [];
  if (table.source !== WAREHOUSE_SOURCE) lines.push(`-- connection: ${table.source}`);
  const names = columns.length === 0 ? ['*'] : columns.map(sqlIdent);
  let line = 'SELECT';
  names.forEach((name, i) => {
    const piece = `${name}${i < names.length - 1 ? ',' : ''}`;
    if (line.trim() !== 'SELECT' && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = `  ${piece}`;
    } else {
      line += ` ${piece}`;
    }
  });
  lines.push(line);
  lines.push(`FROM ${sqlIdent(table.schema)}.${sqlIdent(table.name)}`);
  lines.push(`LIMIT ${limit}`);
  return lines.join('\n');
}
