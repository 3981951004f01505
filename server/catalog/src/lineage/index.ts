/** Column-level lineage of SQL (DuckDB and PostgreSQL) and its export as OpenLineage events. */
export type {
  ColumnLineage,
  ColumnRef,
  IndirectColumn,
  IndirectUse,
  LineageDialect,
  LineageOptions,
  LineageResult,
  SourceColumn,
  StatementLineage,
  TableRef,
  Transform,
} from './types';
export { UNRESOLVED_TABLE } from './types';
export { LineageParser } from './lineage';
export type { DuckDbLineageParserOptions } from './duckdb-parser';
export {
  COLUMN_LINEAGE_FACET_SCHEMA_URL,
  datasetName,
  openLineageEvent,
  RUN_EVENT_SCHEMA_URL,
  SQL_JOB_FACET_SCHEMA_URL,
  type ColumnLineageFacet,
  type OpenLineageEventInput,
  type OpenLineageInputField,
  type OpenLineageRunEvent,
  type OpenLineageTransformation,
  type SqlJobFacet,
} from './openlineage';
