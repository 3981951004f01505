/**
 * The public shape of column-level lineage: what one SQL statement reads,
 * writes, and which source columns each output column comes from. Plain
 * JSON-able objects: runs store them and export them later as OpenLineage.
 *
 * Names are as resolved: unquoted identifiers folded to lower case (ASCII
 * only, as PostgreSQL does), quoted ones kept exactly as spelled.
 */

export type LineageDialect = 'duckdb' | 'postgres';

export interface TableRef {
  catalog?: string;
  schema?: string;
  name: string;
}

export interface ColumnRef {
  table: TableRef;
  column: string;
}

/**
 * How an output column derives from a source column, the strongest along
 * the path (identity < expression < aggregate < window): a CTE's SUM read
 * as is by the outer query is still an aggregate. 'filter' and 'join' are
 * never a column's transform: columns that only filter or join rows are
 * indirect lineage (`StatementLineage.indirect`, `indirectUses`).
 */
export type Transform = 'identity' | 'expression' | 'aggregate' | 'window' | 'filter' | 'join';

/** The table name of a source whose table could not be told (see `SourceColumn.ambiguous`). */
export const UNRESOLVED_TABLE = '?';

export interface SourceColumn {
  ref: ColumnRef;
  transform: Transform;
  /**
   * The column's table is not known for sure: several tables in scope may
   * hold it (or none does), and their columns were not given. Such a source
   * reads `{ table: { name: '?' }, column }`, with the tables that could hold
   * it in `candidates` (possibly none). Nothing is attributed by guess.
   */
  ambiguous?: true;
  candidates?: TableRef[];
}

/**
 * An output column and its sources. When a `*` could not be expanded (the
 * table's columns are unknown), the target is `'*'` and its source is
 * `{ table, column: '*' }`: "every column of that table".
 */
export interface ColumnLineage {
  target: string;
  sources: SourceColumn[];
}

/** Why a column is indirect lineage: the OpenLineage INDIRECT subtypes this parser tells apart. */
export type IndirectUse = 'join' | 'filter' | 'group_by' | 'sort' | 'window';

export interface IndirectColumn {
  ref: ColumnRef;
  uses: IndirectUse[];
  ambiguous?: true;
  candidates?: TableRef[];
}

export interface StatementLineage {
  /** 'other': lineage not extracted (DDL, SET, COPY, MERGE, PIVOT, ...): empty reads do not mean it reads nothing. */
  kind: 'select' | 'create_table_as' | 'create_view' | 'insert' | 'update' | 'delete' | 'other';
  /** What it writes. */
  target?: TableRef;
  /** Base tables/views read (CTE names resolved away); the target of UPDATE/DELETE is not listed. */
  reads: TableRef[];
  /** Output column -> source columns (for select: the result's columns; for insert/update: the target's columns written). */
  columns: ColumnLineage[];
  /** Columns used to filter/join/group/sort (WHERE, JOIN ON/USING, GROUP BY, HAVING, QUALIFY, window PARTITION/ORDER, ORDER BY), as "indirect" lineage. */
  indirect: ColumnRef[];
  /** `indirect` with the reasons each column is used for. */
  indirectUses: IndirectColumn[];
  /** The statement text. */
  sql: string;
  /** Where the statement starts in the input (UTF-16 offset). */
  offset: number;
}

export type LineageResult =
  | { status: 'parsed'; dialect: LineageDialect; statements: StatementLineage[] }
  | { status: 'unparsed'; dialect: LineageDialect; error: string; /** UTF-16 offset into the input */ position?: number };

export interface LineageOptions {
  /** Schema of unqualified tables: 'main' for duckdb, 'public' for postgres (the defaults). */
  defaultSchema?: string;
  /** Columns of a table, to expand `*` and to attribute unqualified column names when several tables are joined; undefined when unknown. */
  columnsOf?: (t: TableRef) => readonly string[] | undefined;
  signal?: AbortSignal;
}
