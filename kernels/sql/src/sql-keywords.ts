/**
 * Words offered by completion: SQL keywords common to DuckDB and
 * PostgreSQL, and widely used functions. Also the reserved words an
 * identifier must be quoted to be used as.
 */

export const SQL_KEYWORDS: readonly string[] = [
  'ABORT', 'ALL', 'ALTER', 'ANALYZE', 'AND', 'ANTI', 'ANY', 'ARRAY', 'AS', 'ASC', 'ASOF', 'ATTACH', 'BEGIN', 'BETWEEN', 'BIGINT',
  'BLOB', 'BOOLEAN', 'BOTH', 'BY', 'CALL', 'CASCADE', 'CASE', 'CAST', 'CHECK', 'CHECKPOINT', 'COLLATE', 'COLUMN', 'COLUMNS',
  'COMMENT', 'COMMIT', 'CONFLICT', 'CONSTRAINT', 'COPY', 'CREATE', 'CROSS', 'CUBE', 'CURRENT_DATE', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'DATABASE', 'DATE', 'DECIMAL', 'DEFAULT', 'DELETE', 'DESC', 'DESCRIBE', 'DETACH', 'DISTINCT', 'DO',
  'DOUBLE', 'DROP', 'ELSE', 'END', 'ENUM', 'ESCAPE', 'EXCEPT', 'EXCLUDE', 'EXECUTE', 'EXISTS', 'EXPLAIN', 'EXPORT', 'EXTENSION',
  'EXTRACT', 'FALSE', 'FETCH', 'FILTER', 'FIRST', 'FOLLOWING', 'FOR', 'FOREIGN', 'FROM', 'FULL', 'FUNCTION', 'GLOB', 'GRANT',
  'GROUP', 'GROUPING', 'HAVING', 'IF', 'ILIKE', 'IMPORT', 'IN', 'INDEX', 'INNER', 'INSERT', 'INSTALL', 'INTEGER', 'INTERSECT',
  'INTERVAL', 'INTO', 'IS', 'ISNULL', 'JOIN', 'JSON', 'KEY', 'LAST', 'LATERAL', 'LEADING', 'LEFT', 'LIKE', 'LIMIT', 'LOAD',
  'MACRO', 'MATERIALIZED', 'MERGE', 'NATURAL', 'NOT', 'NOTHING', 'NOTNULL', 'NULL', 'NULLS', 'OFFSET', 'ON', 'ONLY', 'OR',
  'ORDER', 'OUTER', 'OVER', 'PARTITION', 'PIVOT', 'POSITIONAL', 'PRAGMA', 'PRECEDING', 'PREPARE', 'PRIMARY', 'QUALIFY', 'RANGE',
  'RECURSIVE', 'REFERENCES', 'RENAME', 'REPLACE', 'RESET', 'RETURNING', 'REVOKE', 'RIGHT', 'ROLLBACK', 'ROLLUP', 'ROW', 'ROWS',
  'SAMPLE', 'SCHEMA', 'SELECT', 'SEMI', 'SEQUENCE', 'SET', 'SETS', 'SHOW', 'SIMILAR', 'SOME', 'STRUCT', 'SUMMARIZE', 'TABLE',
  'TABLESAMPLE', 'TEMP', 'TEMPORARY', 'TEXT', 'THEN', 'TIME', 'TIMESTAMP', 'TO', 'TRAILING', 'TRANSACTION', 'TRUE', 'TRUNCATE',
  'TRY_CAST', 'TYPE', 'UNBOUNDED', 'UNION', 'UNIQUE', 'UNPIVOT', 'UPDATE', 'USE', 'USING', 'VACUUM', 'VALUES', 'VARCHAR', 'VIEW',
  'WHEN', 'WHERE', 'WINDOW', 'WITH', 'WITHIN', 'WITHOUT',
];

export const SQL_FUNCTIONS: readonly string[] = [
  'abs', 'any_value', 'approx_count_distinct', 'arg_max', 'arg_min', 'array_agg', 'avg', 'bool_and', 'bool_or', 'ceil',
  'coalesce', 'concat', 'concat_ws', 'count', 'cume_dist', 'date_diff', 'date_part', 'date_trunc', 'dense_rank', 'epoch',
  'first_value', 'floor', 'greatest', 'ifnull', 'lag', 'last_value', 'lead', 'least', 'left', 'length', 'list', 'lower', 'lpad',
  'ltrim', 'max', 'median', 'min', 'mode', 'now', 'nth_value', 'ntile', 'nullif', 'percent_rank', 'percentile_cont', 'position',
  'quantile', 'rank', 'read_csv', 'read_json', 'read_parquet', 'regexp_extract', 'regexp_matches', 'regexp_replace', 'replace',
  'right', 'round', 'row_number', 'rpad', 'rtrim', 'split_part', 'starts_with', 'stddev', 'strftime', 'string_agg', 'strptime',
  'substring', 'sum', 'to_char', 'to_date', 'to_timestamp', 'trim', 'unnest', 'upper', 'variance',
];

/** Words that cannot be bare identifiers in PostgreSQL or DuckDB. */
export const RESERVED = new Set([
  'ALL', 'ANALYSE', 'ANALYZE', 'AND', 'ANY', 'ARRAY', 'AS', 'ASC', 'ASYMMETRIC', 'BOTH', 'CASE', 'CAST', 'CHECK', 'COLLATE',
  'COLUMN', 'CONSTRAINT', 'CREATE', 'CURRENT_CATALOG', 'CURRENT_DATE', 'CURRENT_ROLE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP',
  'CURRENT_USER', 'DEFAULT', 'DEFERRABLE', 'DESC', 'DESCRIBE', 'DISTINCT', 'DO', 'ELSE', 'END', 'EXCEPT', 'FALSE', 'FETCH', 'FOR', 'FOREIGN',
  'FROM', 'GRANT', 'GROUP', 'HAVING', 'IN', 'INITIALLY', 'INTERSECT', 'INTO', 'LATERAL', 'LEADING', 'LIMIT', 'LOCALTIME',
  'LOCALTIMESTAMP', 'NOT', 'NULL', 'OFFSET', 'ON', 'ONLY', 'OR', 'ORDER', 'PIVOT', 'PLACING', 'PRIMARY', 'QUALIFY', 'REFERENCES',
  'RETURNING', 'SELECT', 'SESSION_USER', 'SOME', 'SUMMARIZE', 'SYMMETRIC', 'TABLE', 'THEN', 'TO', 'TRAILING', 'TRUE', 'UNION',
  'UNIQUE', 'UNPIVOT', 'USER', 'USING', 'VARIADIC', 'WHEN', 'WHERE', 'WINDOW', 'WITH',
]);
