/**
 * The dialect-neutral query model both parsers' trees are turned into
 * (`postgres-ast.ts`, `duckdb-ast.ts`) and `analyze.ts` reads. It keeps only
 * what lineage needs: names (already folded), the shape of FROM, and which
 * expressions sit where. Anything else becomes an `op` over its children.
 */

/** A table as written (folded), before the default schema is applied. */
export interface QTable {
  catalog?: string;
  schema?: string;
  name: string;
}

export type QExpr =
  | { k: 'col'; parts: string[] }
  | {
      k: 'func';
      /** Aggregate (by name or syntax: FILTER, WITHIN GROUP, DISTINCT, count(*)). */
      agg: boolean;
      args: QExpr[];
      /** FILTER (WHERE ...) */
      filter?: QExpr;
      /** ORDER BY inside the call; for WITHIN GROUP aggregates these are the aggregated values. */
      order: QExpr[];
      withinGroup?: boolean;
      over?: QWindow;
    }
  | { k: 'sub'; query: QQuery; mode: 'scalar' | 'exists' | 'in' | 'array'; test?: QExpr }
  | { k: 'lambda'; params: string[]; body: QExpr }
  /** An integer constant (ORDER BY 1 / GROUP BY 1 are positions) or any other constant. */
  | { k: 'const'; int?: number }
  /** A star inside an expression (count(t.*), COLUMNS(*) in an argument). */
  | { k: 'star'; relation?: string[] }
  | { k: 'op'; args: QExpr[] };

export interface QWindow {
  partition: QExpr[];
  order: QExpr[];
  /** Other expressions of the window (lag's default, frame offsets): values of the result. */
  extra: QExpr[];
}

export type QTarget =
  | { k: 'expr'; expr: QExpr; name: string }
  | {
      k: 'star';
      /** Qualifier (`t.*`, `s.t.*`), absent for a bare `*`. */
      relation?: string[];
      exclude: string[];
      replace: { name: string; expr: QExpr }[];
      /** DuckDB `* RENAME (a AS b)` */
      rename?: { from: string; to: string }[];
      /** DuckDB COLUMNS('regex'). */
      pattern?: string;
    };

export interface QCte {
  name: string;
  columns?: string[];
  query: QQuery;
}

export interface QWith {
  recursive: boolean;
  ctes: QCte[];
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'positional' | 'asof' | 'semi' | 'anti';

export type QFrom =
  | { k: 'table'; table: QTable; alias?: string; columns?: string[]; /** the table an UPDATE/DELETE writes */ target?: boolean }
  | { k: 'sub'; query: QQuery; alias?: string; columns?: string[] }
  | { k: 'func'; args: QExpr[]; alias?: string; columns?: string[] }
  | { k: 'values'; rows: QExpr[][]; alias?: string; columns: string[] }
  | { k: 'join'; type: JoinType; natural: boolean; left: QFrom; right: QFrom; on?: QExpr; using?: string[] };

export type QQuery =
  | {
      k: 'select';
      with?: QWith;
      targets: QTarget[];
      from: QFrom[];
      where?: QExpr;
      groupBy: QExpr[];
      /** DuckDB GROUP BY ALL */
      groupByAll?: boolean;
      having?: QExpr;
      qualify?: QExpr;
      orderBy: QExpr[];
      /** DuckDB ORDER BY ALL */
      orderByAll?: boolean;
      distinctOn: QExpr[];
    }
  | { k: 'setop'; with?: QWith; op: 'union' | 'intersect' | 'except'; byName: boolean; left: QQuery; right: QQuery; orderBy: QExpr[] }
  | { k: 'values'; with?: QWith; rows: QExpr[][]; names: string[] };

export type StatementKind = 'select' | 'create_table_as' | 'create_view' | 'insert' | 'update' | 'delete' | 'other';

export interface QStatement {
  kind: StatementKind;
  target?: QTable;
  /** CTAS/view column names, INSERT column list, UPDATE's SET columns (in the order of the query's outputs). */
  targetColumns?: string[];
  /** INSERT ... BY NAME */
  byName?: boolean;
  query?: QQuery;
}

/** Raised by the tree converters and the analyser for SQL that parses but cannot be analysed honestly. */
export class LineageUnsupported extends Error {
  override readonly name = 'LineageUnsupported';
}

/** DuckDB and PostgreSQL aggregate functions (by last name part): SUM(debit) is an aggregate, lower(x) is not. */
export const AGGREGATES: ReadonlySet<string> = new Set([
  'any_value', 'approx_count_distinct', 'approx_quantile', 'approx_top_k', 'arbitrary', 'arg_max', 'arg_max_null', 'arg_min', 'arg_min_null',
  'argmax', 'argmin', 'array_agg', 'avg', 'bit_and', 'bit_or', 'bit_xor', 'bitstring_agg', 'bool_and', 'bool_or', 'corr', 'count', 'count_star',
  'count_if', 'countif', 'covar_pop', 'covar_samp', 'entropy', 'every', 'favg', 'first', 'fsum', 'geomean', 'geometric_mean', 'group_concat',
  'histogram', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'json_group_array', 'json_group_object', 'json_group_structure',
  'kahan_sum', 'kurtosis', 'kurtosis_pop', 'last', 'list', 'listagg', 'mad', 'max', 'max_by', 'mean', 'median', 'min', 'min_by', 'mode',
  'percentile_cont', 'percentile_disc', 'product', 'quantile', 'quantile_cont', 'quantile_disc', 'range_agg', 'range_intersect_agg',
  'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy', 'reservoir_quantile',
  'sem', 'skewness', 'stddev', 'stddev_pop', 'stddev_samp', 'string_agg', 'sum', 'sum_no_overflow', 'sumkahan', 'var_pop', 'var_samp',
  'variance', 'weighted_avg', 'xmlagg',
]);
